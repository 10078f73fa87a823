/**
 * Names and ARNs as the Step Functions API checks them. Everything the endpoint holds lives in one
 * region and account: those of the ARNs the toolkit gives an app's resources (us-east-1, 123456789012).
 */
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION } from '../asl';
import { ApiError } from './protocol';

export const REGION = PLACEHOLDER_REGION;
export const ACCOUNT = PLACEHOLDER_ACCOUNT;

// "A name must not contain: white space, brackets < > { } [ ], wildcard characters ? *, special
// characters " # % \ ^ | ~ ` $ & , ; : /, control characters" (the API reference, CreateStateMachine).
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** A state machine's, an execution's or an activity's name: 1 to 80 characters, none of those AWS refuses. */
export function checkName(name: string, max = 80): string {
  if (name.length === 0 || name.length > max || FORBIDDEN.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
  return name;
}

export const stateMachineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const activityArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:activity:${name}`;

export type ArnKind = 'stateMachine' | 'execution' | 'express' | 'activity' | 'mapRun' | 'stateMachineVersion';

/** The kind of resource an ARN names, or an InvalidArn error as AWS words it. */
export function arnKind(arn: string, field: string): ArnKind {
  const m = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:([A-Za-z]+):(.+)$/.exec(arn);
  if (!m) throw new ApiError('InvalidArn', arn.startsWith('arn:') ? `Invalid Arn: '${arn}' is not a Step Functions ARN (${field})` : `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  const [, kind, rest] = m;
  switch (kind) {
    case 'stateMachine': return /:\d+$/.test(rest) ? 'stateMachineVersion' : 'stateMachine';
    case 'execution': return 'execution';
    case 'express': return 'express';
    case 'activity': return 'activity';
    case 'mapRun': return 'mapRun';
    default: throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${kind}'`);
  }
}

/** Checks that an ARN names one of the kinds a field takes. */
export function expectArn(arn: string, field: string, ...kinds: ArnKind[]): ArnKind {
  const kind = arnKind(arn, field);
  if (!kinds.includes(kind)) throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${kind}'`);
  return kind;
}

/** The same ARN in the endpoint's region and account: a client set to another region still finds what it created. */
export function normalArn(arn: string): string {
  return arn.replace(/^arn:(aws[a-z-]*):states:[a-z0-9-]+:\d{12}:/, `arn:$1:states:${REGION}:${ACCOUNT}:`);
}
