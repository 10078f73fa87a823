/**
 * cdk-nag from a test: every finding left in a stack, and every suppression that gives no real
 * reason. cdk-nag is the user's own dev dependency (`npm install -D cdk-nag`, v2 or v3); it is loaded
 * when called, and run the way its major version is made to run: v2 as an aspect (findings are
 * annotations, suppressions template metadata), v3 as a policy validation plugin (findings are
 * violations, acknowledgements metadata on the constructs).
 */
import * as cdk from 'aws-cdk-lib';
import { Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HarnessError } from './local-execution';

/** Rule packs to run. */
export interface NagOptions {
  /** Also run the Serverless pack (for stacks with Lambda, API Gateway, Step Functions). @default false */
  readonly serverless?: boolean;
}

/** Suppression reasons shorter than this are not reasons. */
export const MIN_REASON_LENGTH = 20;

interface Suppression { id?: string; reason?: string }

function loadCdkNag(): any {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return require('cdk-nag');
  } catch (e) {
    throw new HarnessError(`nagFindings: cdk-nag is not installed (${(e as Error).message.split('\n')[0]}); install it: npm install --save-dev cdk-nag `
      + '(v3 with aws-cdk-lib 2.262 or later, v2 with an older one)');
  }
}

/** cdk-nag v3: its rule packs are policy validation plugins that can check a scope directly. */
function isPluginPack(nag: any): boolean {
  return typeof nag.AwsSolutionsChecks?.prototype?.validateScope === 'function';
}

/** v3: the violations of each pack in the stack, and the acknowledgements that give no real reason. */
function pluginFindings(nag: any, stack: Stack, options: NagOptions): string[] {
  const packs = [new nag.AwsSolutionsChecks(), ...(options.serverless ? [new nag.ServerlessChecks()] : [])];
  const findings: string[] = packs.flatMap(pack => (pack.validateScope(stack).violations ?? []).flatMap((v: any) =>
    (v.violatingResources ?? []).map((r: any) => `${r.constructPath}: ${v.ruleName}: ${String(v.description ?? '').split('\n')[0]}`)));
  const key: unknown = (cdk as any).Validations?.ACKNOWLEDGED_RULES_METADATA_KEY;
  for (const construct of typeof key === 'string' ? stack.node.findAll() : []) {
    for (const entry of construct.node.metadata.filter(m => m.type === key)) {
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
          findings.push(`${construct.node.path}: acknowledgement of ${id} has no real reason (got ${JSON.stringify(reason)}; write at least ${MIN_REASON_LENGTH} characters saying why)`);
        }
      }
    }
  }
  return findings;
}

/**
 * Every cdk-nag finding (`AwsSolutions`, and `Serverless` on request) left in the stack, and every
 * suppression (v2) or acknowledgement (v3) without a real reason, as readable lines; empty when the
 * stack is clean. With cdk-nag v2 it adds the rule packs to the stack as aspects; with v3 it has each
 * pack check the stack as the synthesis plugin would.
 */
export function nagFindings(stack: Stack, options: NagOptions = {}): string[] {
  if (!(stack instanceof Stack)) throw new HarnessError(`nagFindings: give the stack to check (got ${stack === null ? 'null' : typeof stack})`);
  const nag = loadCdkNag();
  if (isPluginPack(nag)) return pluginFindings(nag, stack, options);
  Aspects.of(stack).add(new nag.AwsSolutionsChecks({ verbose: true }));
  if (options.serverless) Aspects.of(stack).add(new nag.ServerlessChecks({ verbose: true }));
  const rule = Match.stringLikeRegexp('^(AwsSolutions|Serverless)-');
  const annotations = Annotations.fromStack(stack);
  const findings = [...annotations.findError('*', rule), ...annotations.findWarning('*', rule)]
    .map(m => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
  const template = Template.fromStack(stack).toJSON();
  const suppressionSets: Array<[string, Suppression[]]> = [
    ['(stack)', template.Metadata?.cdk_nag?.rules_to_suppress ?? []],
    ...Object.entries(template.Resources ?? {}).map(([id, r]: [string, any]) =>
      [id, r.Metadata?.cdk_nag?.rules_to_suppress ?? []] as [string, Suppression[]]),
  ];
  for (const [where, suppressions] of suppressionSets) {
    for (const s of suppressions) {
      if (typeof s.reason !== 'string' || s.reason.trim().length < MIN_REASON_LENGTH) {
        findings.push(`${where}: suppression of ${s.id} has no real reason (got ${JSON.stringify(s.reason)}; write at least ${MIN_REASON_LENGTH} characters saying why)`);
      }
    }
  }
  return findings;
}

/** Throws with every finding when the stack is not cdk-nag clean. */
export function expectNagClean(stack: Stack, options: NagOptions = {}): void {
  const findings = nagFindings(stack, options);
  if (findings.length > 0) {
    throw new Error(`cdk-nag: ${findings.length} finding(s) in ${stack.stackName}:\n  ${findings.join('\n  ')}`);
  }
}
