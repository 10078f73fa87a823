/**
 * What the operations share: how a request names a state machine or an execution, and an operation's shape.
 */
import { expectArn, normalArn } from './arns';
import type { Params } from './params';
import type { ApiRequest } from './protocol';
import type { StepFunctionsService } from './service';

export const MAX_DEFINITION = 1_048_576;
export const MAX_DATA = 262_144;

/** On an operation's answer: called once it was written (true) or could not be (false, the caller left). */
export const AFTER_SEND = Symbol('afterSend');

export type Operation = (p: Params, service: StepFunctionsService, request: ApiRequest, gone: Promise<void>) => object | Promise<object>;

/** The state machine a request names (its own ARN: a version or an execution ARN is refused). */
export function machineArnOf(p: Params, field = 'stateMachineArn'): string {
  const arn = p.required(field, { min: 1, max: 256 });
  expectArn(arn, field, 'stateMachine');
  return normalArn(arn);
}

