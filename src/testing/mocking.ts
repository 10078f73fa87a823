/**
 * What a test gives a local run in place of the real tasks: a result, an error or a sequence of
 * them, for a state (by name), a Lambda function (by construct) or a resource (by ARN).
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { placeholderFor } from './asl';
import { HarnessError, TaskCall, TaskFailure, TaskHandler } from './local-execution';
import { resourceOfType } from './resources';

/**
 * What a mocked task (or a callback) does when it is called: a function of the task's input and
 * call, returning the result (or a `TaskOutcome`) or throwing a `TaskFailure`; `returns`, `fails`
 * and `inSequence` make the common ones.
 */
export type Behaviour = (input: any, call: TaskCall) => unknown;

/** Answers every call with `value`. */
export function returns(value: unknown): Behaviour {
  return () => structuredClone(value);
}

/** Fails every call with a Step Functions error name and cause (`fails('Lambda.TooManyRequestsException')`). */
export function fails(error: string, cause?: string): Behaviour {
  if (typeof error !== 'string' || error === '') throw new HarnessError(`fails(): the error name must be a non-empty string (got ${JSON.stringify(error)})`);
  return () => {
    throw new TaskFailure(error, cause);
  };
}

/** Resets a behaviour that counts its calls, at the start of each run. */
const RESET = Symbol('reset');

/** One behaviour per call, in order; the last one answers every later call. Each run starts at the first. */
export function inSequence(...behaviours: Behaviour[]): Behaviour {
  if (behaviours.length === 0 || behaviours.some(b => typeof b !== 'function')) {
    throw new HarnessError('inSequence(): give one or more behaviours (returns(...), fails(...) or functions)');
  }
  let calls = 0;
  const sequence: Behaviour = (input, call) => behaviours[Math.min(calls++, behaviours.length - 1)](input, call);
  return Object.assign(sequence, {
    [RESET]: () => {
      calls = 0;
      behaviours.forEach(resetBehaviour);
    },
  });
}

/** Starts a behaviour (and the sequences inside it) again at its first answer. */
export function resetBehaviour(behaviour: Behaviour): void {
  (behaviour as { [RESET]?: () => void })[RESET]?.();
}

/** A mock of a task: which tasks it answers, and how. */
export interface Mock {
  /** `state`: by Task state name; `function`: by the Lambda function a task invokes; `resource`: by Resource ARN. */
  readonly by: 'state' | 'function' | 'resource';
  /** The state name, the function's ARN as the ASL names it, or the resource ARN. */
  readonly key: string;
  /** How the mock was written, for messages (`mockFunction(Orders/Validate)`). */
  readonly shownAs: string;
  /** `function` mocks of a construct: the stack (artifact id) and logical id of the function. */
  readonly stack?: string;
  readonly logicalId?: string;
  readonly behaviour: Behaviour;
}

function checkBehaviour(where: string, behaviour: Behaviour): void {
  if (typeof behaviour !== 'function') {
    throw new HarnessError(`${where}: the behaviour must be returns(...), fails(...), inSequence(...) or a function (got ${JSON.stringify(behaviour)})`);
  }
}

/** Answers the Task state named `state` (in the state machine, a branch, a Map's item processor or a child workflow). */
export function mockState(state: string, behaviour: Behaviour): Mock {
  checkBehaviour(`mockState('${state}')`, behaviour);
  return { by: 'state', key: state, shownAs: `mockState('${state}')`, behaviour };
}

/**
 * Answers every task that invokes this Lambda function (`lambda:invoke` tasks, or the function's
 * ARN as the Resource): `fn` is the function's construct, or its logical id in a cloud assembly.
 * The behaviour receives the Payload and returns what the function would.
 */
export function mockFunction(fn: IConstruct | string, behaviour: Behaviour): Mock {
  const shownAs = `mockFunction(${typeof fn === 'string' ? `'${fn}'` : fn.node.path})`;
  checkBehaviour(shownAs, behaviour);
  if (typeof fn === 'string') return { by: 'function', key: placeholderFor(fn, 'AWS::Lambda::Function', 'Arn'), shownAs, behaviour };
  const { logicalId, resource } = functionResourceOf(fn);
  return { by: 'function', key: placeholderFor(logicalId, 'AWS::Lambda::Function', 'Arn'), shownAs, behaviour, stack: Stack.of(resource).artifactId, logicalId };
}

/** Answers every task whose Resource is `resource`, without its `.sync` or `.waitForTaskToken` suffix (`arn:aws:states:::sns:publish`). */
export function mockResource(resource: string, behaviour: Behaviour): Mock {
  checkBehaviour(`mockResource('${resource}')`, behaviour);
  return { by: 'resource', key: resource, shownAs: `mockResource('${resource}')`, behaviour };
}

/** The placeholder ARN the ASL of a local run names a Lambda function by. */
export function functionArnOf(fn: IConstruct): string {
  return placeholderFor(functionResourceOf(fn).logicalId, 'AWS::Lambda::Function', 'Arn');
}

function functionResourceOf(fn: IConstruct) {
  return resourceOfType(fn, 'AWS::Lambda::Function', () => `mockFunction(${fn?.node?.path ?? String(fn)}): not a Lambda function defined in a stack `
    + '(for an imported function, mock its state with mockState, or its ARN with mockResource)');
}

/** The name a bucket of the stack has in a local run: where to put its objects in a `LocalS3`. */
export function bucketNameOf(bucket: IConstruct): string {
  const { logicalId } = resourceOfType(bucket, 'AWS::S3::Bucket', () => `bucketNameOf(${bucket?.node?.path ?? String(bucket)}): not an S3 bucket defined in a stack`);
  return placeholderFor(logicalId, 'AWS::S3::Bucket');
}

/** Handlers for the local run, by state and by resource; two mocks of the same task fail the test. */
export function handlersOf(mocks: readonly Mock[]): { states: Record<string, TaskHandler>; resources: Record<string, TaskHandler> } {
  const states: Record<string, TaskHandler> = {};
  const resources: Record<string, TaskHandler> = {};
  const seen = new Map<string, string>();
  for (const mock of mocks) {
    if (!mock || typeof mock.behaviour !== 'function') {
      throw new HarnessError(`mocks: each mock is made with mockState, mockFunction or mockResource (got ${JSON.stringify(mock)})`);
    }
    resetBehaviour(mock.behaviour);
    const id = `${mock.by === 'state' ? 'state' : 'resource'}:${mock.key}`;
    if (seen.has(id)) throw new HarnessError(`mocks: ${mock.shownAs} and ${seen.get(id)} answer the same tasks; keep one (inSequence(...) gives several answers)`);
    seen.set(id, mock.shownAs);
    (mock.by === 'state' ? states : resources)[mock.key] = mock.behaviour;
  }
  return { states, resources };
}
