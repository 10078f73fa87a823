/**
 * Template snapshots that do not change when only an asset's content changes.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** Replaces asset hashes (64 hex characters) in any string of a template. */
export function scrubAssetHashes<T>(template: T): T {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, 'ASSET_HASH'));
}

/** The stack's template with asset hashes scrubbed, for `toMatchSnapshot()`. */
export function snapshotOf(stack: Stack): Record<string, any> {
  return scrubAssetHashes(Template.fromStack(stack).toJSON());
}
