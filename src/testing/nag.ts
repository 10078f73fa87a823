/**
 * cdk-nag from a test: every finding left in a stack, and every suppression that gives no real
 * reason. cdk-nag is the user's own dev dependency (`npm install -D cdk-nag`); it is loaded when called.
 */
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
    throw new HarnessError(`nagFindings: cdk-nag is not installed (${(e as Error).message.split('\n')[0]}); install it: npm install --save-dev cdk-nag`);
  }
}

/**
 * Every cdk-nag finding (`AwsSolutions`, and `Serverless` on request) left in the stack, and every
 * suppression without a real reason, as readable lines; empty when the stack is clean. Adds the rule
 * packs to the stack as aspects.
 */
export function nagFindings(stack: Stack, options: NagOptions = {}): string[] {
  const nag = loadCdkNag();
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
