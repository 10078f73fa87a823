/**
 * `cdk-workflow-patterns/testing`: run the state machines of a CDK app locally from a test (Jest,
 * Vitest), on the library's own Step Functions engine. For TypeScript and JavaScript; not part of the
 * jsii API.
 */
export { LocalWorkflow, WorkflowRun, runWorkflow, aslOf, validateAsl } from './local-workflow';
export type { RunOptions } from './local-workflow';
export { mockState, mockFunction, mockResource, returns, fails, inSequence, bucketNameOf } from './mocking';
export type { Behaviour, Mock } from './mocking';
export { approve, reject, expire } from './approvals';
export type { ApprovalDecision, ApproverOptions, GateLike } from './approvals';
export { workflowMatchers } from './matchers';
export type { MatcherResult, WorkflowMatchers } from './matchers';
export { nagFindings, expectNagClean } from './nag';
export type { NagOptions } from './nag';
export {
  LocalS3, TaskOutcome, TaskFailure, HarnessError, MissingHandlerError, EngineLimitationError, runLocally, itemProcessorOf,
} from './local-execution';
export type { TaskCall, RetryRecord, CatchRecord, LocalRunOptions, LocalRunResult } from './local-execution';
export { CodeLoadError, FunctionSandboxError } from './function-sandbox';
export type { FunctionLog } from './function-sandbox';
export { OfflineAws } from './offline-aws';
export type { PublishedMessage } from './offline-aws';
export type { HistoryRow } from './execution';
export type { ContainerBehaviour, ContainerRun } from './containers';
export type { Asl } from './asl';
export { startLocalStepFunctions } from './endpoint/server';
export type { LocalStepFunctions, LocalStepFunctionsOptions } from './endpoint/server';
