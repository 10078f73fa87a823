/**
 * Error handling (Retry, Catch, timeouts, heartbeats, data limits), virtual time (Wait, retry
 * intervals, task durations), Parallel and inline Map, callbacks, Lambda integrations, and the
 * shape of the execution history.
 */
import { CONFORMANCE_START, ConformanceCase } from './case';
import { all, at, DOC, echo, fails, first, INVOKE, json, LAMBDA_CAUSE, LS, types } from './helpers';
import type { ExecutionResult, HistoryEvent, TaskRequest } from '../../../src/engine/types';
import { TaskError, TaskOutcome } from '../../../src/engine/types';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const INVOKE_WFTT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

const DATA_LIMIT_LAMBDA = "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.";

/** JSONPath Lambda task: the state input is the payload. */
const invoke = (extra: object = {}) => ({
  Type: 'Task',
  Resource: INVOKE,
  Parameters: { 'FunctionName': FN, 'Payload.$': '$' },
  ...extra,
});

/** Fails the first `n` attempts with `error`, then echoes its input. */
const failTimes = (n: number, error = 'Boom') => (req: TaskRequest) => {
  if (req.attempt <= n) throw new TaskError(error, `attempt ${req.attempt}`);
  return req.input;
};

const times = (r: ExecutionResult, type: string) => all(r, type).map(at);
const details = (e: HistoryEvent, key: string) => e[key] as Record<string, any>;

const terminal = (state: any) => state.Type === 'Fail' || state.Type === 'Succeed';
const single = (state: object, name = 'S') => ({ StartAt: name, States: { [name]: terminal(state) ? state : { ...state, End: true } } });
/** A callback task (its payload carries the token) with these catchers. */
const callbackCatching = (Catch: object[]) => ({
  Type: 'Task', Resource: INVOKE_WFTT, Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } }, Catch, End: true,
});

const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:activity';

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- Retry
  {
    name: 'retry: IntervalSeconds 1, BackoffRate 1, MaxAttempts 2, JitterStrategy NONE - three attempts, each one second apart',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_retry_interval_features_jitter_none`,
    definition: single({
      Type: 'Task',
      Resource: FN,
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1, MaxDelaySeconds: 3, JitterStrategy: 'NONE' }],
    }, 'LambdaTask'),
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'FAILED',
      error: 'Exception',
      cause: LAMBDA_CAUSE,
      eventTypes: ['ExecutionStarted', 'TaskStateEntered',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'ExecutionFailed'],
      check: r => expect(times(r, 'LambdaFunctionScheduled')).toEqual([0, 1, 2]),
    },
  },
  {
    name: 'retry: IntervalSeconds 3, BackoffRate 2, MaxDelaySeconds 5 - the second delay is capped at 5 s',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 5 }],
    })),
    tasks: { [FN]: fails('Boom', 'always') },
    expect: {
      status: 'FAILED',
      error: 'Boom',
      cause: 'always',
      check: r => expect(times(r, 'TaskScheduled')).toEqual([0, 3, 8]),
    },
  },
  {
    name: 'retry: defaults are IntervalSeconds 1, BackoffRate 2, MaxAttempts 3',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({ Retry: [{ ErrorEquals: ['Boom'] }] })),
    tasks: { [FN]: fails('Boom', 'always') },
    expect: {
      status: 'FAILED',
      error: 'Boom',
      check: r => expect(times(r, 'TaskScheduled')).toEqual([0, 1, 3, 7]),
    },
  },
  {
    name: 'retry: BackoffRate 1.5 multiplies the interval on each attempt',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({ Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 2, BackoffRate: 1.5, MaxAttempts: 3 }] })),
    tasks: { [FN]: fails('Boom') },
    expect: {
      status: 'FAILED',
      error: 'Boom',
      check: r => expect(times(r, 'TaskScheduled')).toEqual([0, 2, 5, 9.5]),
    },
  },
  {
    name: 'retry: MaxAttempts 0 never retries, and $$.State.RetryCount is 0',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_retry_interval_features_max_attempts_zero`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload': { 'RetryAttempt.$': '$$.State.RetryCount' } },
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3, MaxAttempts: 0, BackoffRate: 2, MaxDelaySeconds: 5, JitterStrategy: 'FULL' }],
    }, 'LambdaTask'),
    input: { FunctionName: FN },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'FAILED',
      error: 'Exception',
      cause: LAMBDA_CAUSE,
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed'],
      check: r => expect(json(details(first(r, 'TaskScheduled'), 'taskScheduledEventDetails').parameters)).toEqual({ FunctionName: FN, Payload: { RetryAttempt: 0 } }),
    },
  },
  {
    name: 'retry: JitterStrategy FULL keeps every delay between 0 and the capped backoff, reproducibly under a seed',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_retry_interval_features`,
    definition: single({
      Type: 'Task',
      Resource: FN,
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 5, JitterStrategy: 'FULL' }],
    }, 'LambdaTask'),
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    options: { seed: 42 },
    expect: {
      status: 'FAILED',
      error: 'Exception',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'ExecutionFailed'],
      check: r => {
        const [t0, t1, t2] = times(r, 'LambdaFunctionScheduled');
        expect(t0).toBe(0);
        expect(t1).toBeGreaterThanOrEqual(0);
        expect(t1).toBeLessThanOrEqual(3);
        expect(t2 - t1).toBeGreaterThanOrEqual(0);
        expect(t2 - t1).toBeLessThanOrEqual(5);
        // without jitter the delays would be exactly 3 and 5
        expect([t1, t2 - t1]).not.toEqual([3, 5]);
      },
    },
  },
  {
    name: 'retry: the task succeeds on the third attempt, $$.State.RetryCount counts the retries',
    source: `${DOC}concepts-error-handling.html`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: FN, Payload: { 'retry.$': '$$.State.RetryCount' } },
      OutputPath: '$.Payload',
      Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 5 }],
    }),
    tasks: { [FN]: failTimes(2) },
    expect: {
      status: 'SUCCEEDED',
      output: { retry: 2 },
      check: r => expect(all(r, 'TaskFailed')).toHaveLength(2),
    },
  },
  {
    name: 'retry: each retrier counts its own attempts; the first retrier that matches the error is used',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({
      Retry: [
        { ErrorEquals: ['Other'], IntervalSeconds: 100, MaxAttempts: 5 },
        { ErrorEquals: ['Boom'], IntervalSeconds: 2, MaxAttempts: 1 },
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 50, MaxAttempts: 5 },
      ],
    })),
    tasks: { [FN]: fails('Boom') },
    expect: {
      status: 'FAILED',
      error: 'Boom',
      check: r => expect(times(r, 'TaskScheduled')).toEqual([0, 2]),
    },
  },
  {
    name: 'retry: States.ALL in a retrier that is not the last one is refused',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({
      Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['Boom'] }],
    })),
    expect: { invalid: /States\.ALL/ },
  },
  {
    name: 'retry: States.ALL next to another error name is refused',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({ Retry: [{ ErrorEquals: ['Boom', 'States.ALL'] }] })),
    expect: { invalid: /States\.ALL/ },
  },
  {
    name: 'retry then catch: after the retries run out the catcher gets the last error',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_task_catch_error_with_retry[TASK_CATCH_ERROR_OUTPUT_WITH_RETRY]`,
    definition: {
      StartAt: 'Task',
      States: {
        Task: invoke({
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }],
          Next: 'Done',
        }),
        Fallback: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'Exception', Cause: LAMBDA_CAUSE },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed',
        'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      check: r => expect(times(r, 'TaskScheduled')).toEqual([0, 1]),
    },
  },
  {
    name: 'retry on a Parallel state re-runs its branches',
    source: `${DOC}concepts-error-handling.html`,
    definition: single({
      Type: 'Parallel',
      Branches: [{ StartAt: 'T', States: { T: invoke({ End: true, OutputPath: '$.Payload' }) } }],
      Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 4, MaxAttempts: 1 }],
    }),
    input: { a: 1 },
    tasks: { [FN]: (() => { let calls = 0; return (req: TaskRequest) => { calls += 1; if (calls === 1) throw new TaskError('Boom', 'first run'); return req.input; }; })() },
    expect: {
      status: 'SUCCEEDED',
      output: [{ a: 1 }],
      check: r => expect(times(r, 'TaskScheduled')).toEqual([0, 4]),
    },
  },

  // ---------------------------------------------------------------- Catch
  {
    name: 'catch: catchers are tried in order and the first one that matches wins',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({
          Catch: [
            { ErrorEquals: ['Other'], Next: 'A' },
            { ErrorEquals: ['Boom'], Next: 'B' },
            { ErrorEquals: ['States.ALL'], Next: 'C' },
          ],
          End: true,
        }),
        A: { Type: 'Pass', Result: 'A', End: true },
        B: { Type: 'Pass', Result: 'B', End: true },
        C: { Type: 'Pass', Result: 'C', End: true },
      },
    },
    tasks: { [FN]: fails('Boom') },
    expect: { status: 'SUCCEEDED', output: 'B' },
  },
  {
    name: 'catch: without ResultPath the next state gets the error output {Error, Cause}',
    source: `${LS}error_handling/test_task_lambda.snapshot.json#test_raise_custom_exception`,
    definition: {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['CustomException'], Next: 'ErrorMatched' }], End: true },
        ErrorMatched: { Type: 'Pass', End: true },
      },
    },
    input: { FunctionName: 'f', Payload: null },
    tasks: { [FN]: fails('CustomException', '{"errorMessage": "", "errorType": "CustomException"}') },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'CustomException', Cause: '{"errorMessage": "", "errorType": "CustomException"}' },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'catch: ResultPath puts the error output into the state input',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'P' }], End: true }),
        P: { Type: 'Pass', End: true },
      },
    },
    input: { order: 7 },
    tasks: { [FN]: fails('Boom', 'it broke') },
    expect: { status: 'SUCCEEDED', output: { order: 7, error: { Error: 'Boom', Cause: 'it broke' } } },
  },
  {
    name: 'catch: ResultPath null keeps the state input and drops the error',
    source: `${DOC}input-output-resultpath.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'P' }], End: true }),
        P: { Type: 'Pass', End: true },
      },
    },
    input: { order: 7 },
    tasks: { [FN]: fails('Boom', 'it broke') },
    expect: { status: 'SUCCEEDED', output: { order: 7 } },
  },
  {
    name: 'catch: a task error without a cause still reaches the catcher with its Error',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'P' }], End: true }),
        P: { Type: 'Pass', Parameters: { 'e.$': '$.Error' }, End: true },
      },
    },
    tasks: { [FN]: () => TaskOutcome.fail('NoCause') },
    expect: { status: 'SUCCEEDED', output: { e: 'NoCause' } },
  },
  {
    name: 'catch: States.TaskFailed matches an error the task raised',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'P' }], End: true }),
        P: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: fails('Anything.Custom', 'c') },
    expect: { status: 'SUCCEEDED', output: { Error: 'Anything.Custom', Cause: 'c' } },
  },
  {
    name: 'catch: States.TaskFailed does not match States.Timeout; States.ALL does',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({
          TimeoutSeconds: 5,
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'TF' }, { ErrorEquals: ['States.ALL'], Next: 'ALL' }],
          End: true,
        }),
        TF: { Type: 'Pass', Result: 'TaskFailed', End: true },
        ALL: { Type: 'Pass', ResultPath: '$.caught', End: true },
      },
    },
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 60 }) },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const out = r.output as any;
        expect(out.caught.Error).toBe('States.Timeout');
        expect(first(r, 'PassStateEntered').stateEnteredEventDetails).toMatchObject({ name: 'ALL' });
      },
    },
  },
  {
    name: 'catch: an error no catcher matches fails the execution with that error and cause',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['Other'], Next: 'P' }], End: true }),
        P: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: fails('Boom', 'unmatched') },
    expect: {
      status: 'FAILED',
      error: 'Boom',
      cause: 'unmatched',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed'],
    },
  },
  {
    name: 'catch: a Fail state inside an inline Map fails the Map with the same error; a catcher on the Map gets {Error, Cause}',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_catch`,
    definition: {
      StartAt: 'StartState',
      States: {
        StartState: { Type: 'Pass', Result: [1], ResultPath: '$.arr', Next: 'MapState' },
        MapState: {
          Type: 'Map',
          ResultPath: null,
          InputPath: '$.arr',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'HandleItemFail',
            States: { HandleItemFail: { Type: 'Fail', Error: 'HandleItemFailError', Cause: 'HandleItemFailCause' } },
          },
          Catch: [{ ErrorEquals: ['HandleItemFailError'], Next: 'FinalCaught' }],
          Next: 'Final',
        },
        FinalCaught: { Type: 'Pass', End: true },
        Final: { Type: 'Pass', End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'HandleItemFailError', Cause: 'HandleItemFailCause' },
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'MapStateEntered', 'MapStateStarted',
        'MapIterationStarted', 'FailStateEntered', 'MapIterationFailed', 'MapStateFailed', 'MapStateExited',
        'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'map failure: no States.BranchFailed - the execution fails with the iteration\'s own error',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_catch_empty_fail`,
    definition: {
      StartAt: 'StartState',
      States: {
        StartState: { Type: 'Pass', Result: [1], ResultPath: '$.arr', Next: 'MapState' },
        MapState: {
          Type: 'Map',
          ItemsPath: '$.arr',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'HandleItemFail', States: { HandleItemFail: { Type: 'Fail' } } },
          End: true,
        },
      },
    },
    expect: {
      status: 'FAILED',
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'MapStateEntered', 'MapStateStarted',
        'MapIterationStarted', 'FailStateEntered', 'MapIterationFailed', 'MapStateFailed', 'ExecutionFailed'],
      check: r => {
        expect(r.error).toBeUndefined();
        expect(r.cause).toBeUndefined();
      },
    },
  },
  {
    name: 'parallel failure: no States.BranchFailed - the execution fails with the branch\'s own error',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_parallel_state_fail`,
    definition: single({
      Type: 'Parallel',
      Branches: [{ StartAt: 'Branch1', States: { Branch1: { Type: 'Fail', Error: 'FailureType' } } }],
    }, 'ParallelState'),
    expect: {
      status: 'FAILED',
      error: 'FailureType',
      eventTypes: ['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted', 'FailStateEntered', 'ParallelStateFailed', 'ExecutionFailed'],
      check: r => expect(r.cause).toBeUndefined(),
    },
  },
  {
    name: 'parallel failure: a catcher on the Parallel state gets the branch error output',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_parallel_catch_error[PARALLEL_CATCH_ERROR_OUTPUT]`,
    definition: {
      StartAt: 'ParallelState',
      States: {
        ParallelState: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'ExecuteLambdaTask', States: { ExecuteLambdaTask: invoke({ End: true }) } }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.stateError', Next: 'Fallback' }],
          Next: 'Finish',
        },
        Fallback: { Type: 'Pass', End: true },
        Finish: { Type: 'Pass', End: true },
      },
    },
    input: { inputData: 'dummy' },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'SUCCEEDED',
      output: { inputData: 'dummy', stateError: { Error: 'Exception', Cause: LAMBDA_CAUSE } },
      check: r => {
        expect(types(r).slice(-4)).toEqual(['ParallelStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
        expect(types(r)).toContain('ParallelStateFailed');
      },
    },
  },
  {
    name: 'States.NoChoiceMatched when no rule matches and there is no Default',
    source: `${DOC}state-choice.html`,
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.v', NumericEquals: 1, Next: 'P' }] },
        P: { Type: 'Pass', End: true },
      },
    },
    input: { v: 2 },
    expect: {
      status: 'FAILED',
      error: 'States.NoChoiceMatched',
      check: r => expect(types(r)).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ExecutionFailed']),
    },
  },
  {
    name: 'Choice: a Catch field is refused (a Choice state has no Catch)',
    source: `${DOC}state-choice.html`,
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.v', NumericEquals: 1, Next: 'P' }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'P' }] },
        P: { Type: 'Pass', End: true },
      },
    },
    expect: { invalid: /Catch/ },
  },

  // ---------------------------------------------------------------- timeouts, heartbeats
  {
    name: 'timeout: lambda:invoke with TimeoutSeconds 5 that answers after 10 s fails with States.Timeout at 5 s',
    source: `${LS}timeouts/test_timeouts.snapshot.json#test_fixed_timeout_service_lambda`,
    definition: single({
      Type: 'Task',
      TimeoutSeconds: 5,
      Resource: INVOKE,
      Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' },
    }, 'Start'),
    input: { FunctionName: FN, Payload: null, TimeoutSecondsValue: 5 },
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 10 }) },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskTimedOut', 'ExecutionFailed'],
      check: r => {
        expect(at(first(r, 'TaskTimedOut'))).toBe(5);
        expect(details(first(r, 'TaskScheduled'), 'taskScheduledEventDetails')).toMatchObject({ timeoutInSeconds: 5, resource: 'invoke', resourceType: 'lambda' });
        expect(details(first(r, 'TaskTimedOut'), 'taskTimedOutEventDetails')).toMatchObject({ error: 'States.Timeout', resource: 'invoke', resourceType: 'lambda' });
        expect(r.cause).toBeUndefined();
      },
    },
  },
  {
    name: 'timeout: TimeoutSecondsPath reads the timeout from the input',
    source: `${LS}timeouts/test_timeouts.snapshot.json#test_fixed_timeout_service_lambda_with_path`,
    definition: single({
      Type: 'Task',
      TimeoutSecondsPath: '$.TimeoutSecondsValue',
      Resource: INVOKE,
      Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' },
    }, 'Start'),
    input: { TimeoutSecondsValue: 5, FunctionName: FN, Payload: null },
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 10 }) },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskTimedOut', 'ExecutionFailed'],
      check: r => expect(at(first(r, 'TaskTimedOut'))).toBe(5),
    },
  },
  {
    name: 'timeout: legacy Lambda resource times out with LambdaFunctionTimedOut',
    source: `${LS}timeouts/test_timeouts.snapshot.json#test_fixed_timeout_lambda`,
    definition: single({ Type: 'Task', TimeoutSeconds: 5, Resource: FN, Parameters: { 'Payload.$': '$.Payload' } }, 'Start'),
    input: { Payload: null },
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 10 }) },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionTimedOut', 'ExecutionFailed'],
      check: r => {
        expect(details(first(r, 'LambdaFunctionScheduled'), 'lambdaFunctionScheduledEventDetails')).toMatchObject({ resource: FN, timeoutInSeconds: 5 });
        expect(at(first(r, 'LambdaFunctionTimedOut'))).toBe(5);
      },
    },
  },
  {
    name: 'timeout: a task that answers before TimeoutSeconds succeeds at its own time',
    source: `${DOC}state-task.html`,
    definition: single(invoke({ TimeoutSeconds: 5, OutputPath: '$.Payload' })),
    input: { x: 1 },
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input, { afterSeconds: 3 }) },
    expect: {
      status: 'SUCCEEDED',
      output: { x: 1 },
      check: r => expect(at(first(r, 'TaskSucceeded'))).toBe(3),
    },
  },
  {
    name: 'timeout: in an inline Map every iteration times out; the first failure aborts the others',
    source: `${LS}timeouts/test_timeouts.snapshot.json#test_service_lambda_map_timeout`,
    definition: single({
      Type: 'Map',
      InputPath: '$.Inputs',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'LambdaInvoke',
        States: {
          LambdaInvoke: {
            Type: 'Task',
            Resource: INVOKE,
            TimeoutSeconds: 5,
            Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' },
            End: true,
          },
        },
      },
    }, 'MapWait'),
    input: { Inputs: [1, 2, 3, 4].map(() => ({ FunctionName: FN, Payload: null })) },
    tasks: { [FN]: () => TaskOutcome.never() },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      check: r => {
        expect(all(r, 'MapIterationFailed')).toHaveLength(1);
        expect(all(r, 'MapIterationAborted')).toHaveLength(3);
        expect(types(r).slice(-2)).toEqual(['MapStateFailed', 'ExecutionFailed']);
        expect(at(r.events[r.events.length - 1])).toBe(5);
      },
    },
  },
  {
    name: 'heartbeat: no heartbeat within HeartbeatSeconds fails the callback task with States.Timeout',
    source: `${LS}timeouts/test_heartbeats.snapshot.json#test_heartbeat_timeout`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      TimeoutSeconds: 600,
      HeartbeatSeconds: 5,
      Parameters: { FunctionName: FN, Payload: { 'Message.$': '$.Message', 'TaskToken.$': '$$.Task.Token' } },
    }, 'SendMessageWithWait'),
    input: { Message: 'test_message_txt' },
    tasks: { [FN]: () => TaskOutcome.never() },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskTimedOut', 'ExecutionFailed'],
      check: r => {
        expect(details(first(r, 'TaskScheduled'), 'taskScheduledEventDetails')).toMatchObject({ heartbeatInSeconds: 5, timeoutInSeconds: 600 });
        expect(at(first(r, 'TaskTimedOut'))).toBe(5);
      },
    },
  },
  {
    name: 'activity task: Activity* events, the input in full, the timeout and heartbeat in ActivityScheduled',
    source: `${LS}activities/test_activities.snapshot.json#test_activity_task_with_heartbeat`,
    definition: single({ Type: 'Task', TimeoutSeconds: 60, HeartbeatSeconds: 10, Resource: ACTIVITY }, 'ActivityTask'),
    input: { Value1: 'HelloWorld' },
    tasks: { [ACTIVITY]: req => req.input },
    expect: {
      status: 'SUCCEEDED',
      output: { Value1: 'HelloWorld' },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
      check: r => {
        expect(details(first(r, 'ActivityScheduled'), 'activityScheduledEventDetails')).toEqual({
          resource: ACTIVITY, input: '{"Value1":"HelloWorld"}', inputDetails: { truncated: false }, timeoutInSeconds: 60, heartbeatInSeconds: 10,
        });
        expect(details(first(r, 'ActivitySucceeded'), 'activitySucceededEventDetails')).toEqual({ output: '{"Value1":"HelloWorld"}', outputDetails: { truncated: false } });
      },
    },
  },
  {
    name: 'activity task: a worker that stops heartbeating times the task out with States.Timeout (ActivityTimedOut), which a States.HeartbeatTimeout catcher takes',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html',
    definition: {
      StartAt: 'ActivityTask',
      States: {
        ActivityTask: { Type: 'Task', TimeoutSeconds: 60, HeartbeatSeconds: 10, Resource: ACTIVITY, Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Gone' }], End: true },
        Gone: { Type: 'Pass', End: true },
      },
    },
    tasks: { [ACTIVITY]: () => TaskOutcome.never() },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'States.Timeout', Cause: '' },
      check: r => {
        expect(details(first(r, 'ActivityTimedOut'), 'activityTimedOutEventDetails')).toEqual({ error: 'States.Timeout' });
        expect(at(first(r, 'ActivityTimedOut'))).toBe(10);
      },
    },
  },
  {
    name: 'timeout: a TimeoutSeconds timeout is not a heartbeat timeout; a States.HeartbeatTimeout catcher does not take it',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html',
    definition: {
      StartAt: 'ActivityTask',
      States: {
        ActivityTask: { Type: 'Task', TimeoutSeconds: 30, HeartbeatSeconds: 10, Resource: ACTIVITY, Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Gone' }], End: true },
        Gone: { Type: 'Pass', End: true },
      },
    },
    tasks: { [ACTIVITY]: () => TaskOutcome.never({ heartbeatsAt: [5, 12, 20, 28] }) },
    expect: { status: 'FAILED', error: 'States.Timeout' },
  },
  {
    name: 'heartbeat: HeartbeatSecondsPath reads the heartbeat interval from the input',
    source: `${LS}timeouts/test_heartbeats.snapshot.json#test_heartbeat_path_timeout`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      TimeoutSeconds: 600,
      HeartbeatSecondsPath: '$.HeartbeatSecondsPath',
      Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
    }, 'SendMessageWithWait'),
    input: { HeartbeatSecondsPath: 5 },
    tasks: { [FN]: () => TaskOutcome.never() },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      check: r => {
        expect(details(first(r, 'TaskScheduled'), 'taskScheduledEventDetails')).toMatchObject({ heartbeatInSeconds: 5 });
        expect(at(first(r, 'TaskTimedOut'))).toBe(5);
      },
    },
  },
  {
    name: 'heartbeat: heartbeats every 3 s keep a 5 s HeartbeatSeconds task alive until its answer at 10 s',
    source: `${LS}callback/test_callback.snapshot.json#test_multiple_heartbeat_notifications`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      HeartbeatSeconds: 5,
      Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
    }),
    tasks: { [FN]: () => TaskOutcome.succeed({ Message: 'txt' }, { afterSeconds: 10, heartbeatsAt: [3, 6, 9] }) },
    expect: {
      status: 'SUCCEEDED',
      output: { Message: 'txt' },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
      check: r => expect(at(first(r, 'TaskSucceeded'))).toBe(10),
    },
  },
  {
    name: 'heartbeat: the heartbeat clock restarts at the last heartbeat (3 s + 5 s = timeout at 8 s)',
    source: `${DOC}state-task.html`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      HeartbeatSeconds: 5,
      Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
    }),
    tasks: { [FN]: () => TaskOutcome.never({ heartbeatsAt: [3] }) },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      check: r => expect(at(first(r, 'TaskTimedOut'))).toBe(8),
    },
  },
  {
    name: 'heartbeat: TimeoutSeconds still applies to a task that keeps sending heartbeats',
    source: `${DOC}state-task.html`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      HeartbeatSeconds: 5,
      TimeoutSeconds: 12,
      Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
    }),
    tasks: { [FN]: () => TaskOutcome.never({ heartbeatsAt: [2, 4, 6, 8, 10, 12, 14] }) },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      check: r => expect(at(first(r, 'TaskTimedOut'))).toBe(12),
    },
  },
  {
    name: 'heartbeat: HeartbeatSeconds not smaller than TimeoutSeconds is refused',
    source: `${DOC}state-task.html`,
    definition: single(invoke({ TimeoutSeconds: 5, HeartbeatSeconds: 10 })),
    expect: { invalid: /HeartbeatSeconds/ },
  },

  // ---------------------------------------------------------------- callbacks
  {
    name: 'callback: .waitForTaskToken returns what SendTaskSuccess sends, when it sends it',
    source: `${LS}callback/test_callback.snapshot.json#test_sqs_wait_for_task_token`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      Parameters: { FunctionName: FN, Payload: { 'Message.$': '$.Message', 'TaskToken.$': '$$.Task.Token' } },
    }, 'SendMessageWithWait'),
    input: { Message: 'test_message_txt' },
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input.Message, { afterSeconds: 30 }) },
    expect: {
      status: 'SUCCEEDED',
      output: 'test_message_txt',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
      check: r => {
        expect(at(first(r, 'TaskSucceeded'))).toBe(30);
        expect(json(details(first(r, 'TaskSucceeded'), 'taskSucceededEventDetails').output)).toBe('test_message_txt');
        expect(details(first(r, 'TaskScheduled'), 'taskScheduledEventDetails')).toMatchObject({ resource: 'invoke.waitForTaskToken', resourceType: 'lambda' });
      },
    },
  },
  {
    name: 'callback: the task token in $$.Task.Token is the one the handler is given',
    source: `${DOC}connect-to-resource.html`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token' } },
    }),
    tasks: {
      [FN]: (req: TaskRequest) => {
        if (typeof req.taskToken !== 'string' || req.taskToken.length === 0 || req.input.token !== req.taskToken) {
          throw new TaskError('TokenMismatch', JSON.stringify({ given: req.taskToken, payload: req.input }));
        }
        return TaskOutcome.succeed({ ok: true });
      },
    },
    expect: { status: 'SUCCEEDED', output: { ok: true } },
  },
  {
    name: 'callback: SendTaskFailure fails the task with its error and cause',
    source: `${LS}callback/test_callback.snapshot.json#test_sqs_failure_in_wait_for_task_token`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
    }, 'SendMessageWithWait'),
    tasks: { [FN]: () => TaskOutcome.fail('Failure error', 'Failure cause', { afterSeconds: 2 }) },
    expect: {
      status: 'FAILED',
      error: 'Failure error',
      cause: 'Failure cause',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed', 'ExecutionFailed'],
    },
  },
  {
    name: 'callback: SendTaskFailure with neither error nor cause: caught by States.ALL (not States.Runtime), Error and Cause null',
    source: `${LS}callback/test_callback.snapshot.json#test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_WAIT_FOR_TASK_TOKEN_CATCH]`,
    definition: {
      StartAt: 'SendMessageWithWait',
      States: {
        SendMessageWithWait: callbackCatching([
          { ErrorEquals: ['States.Runtime'], ResultPath: '$.states_runtime_error', Next: 'CaughtRuntime' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.states_all_error', Next: 'CaughtStatesALL' },
        ]),
        CaughtRuntime: { Type: 'Fail', Error: 'WrongCatcher' },
        CaughtStatesALL: { Type: 'Succeed' },
      },
    },
    input: { Message: 'test_message_txt' },
    tasks: { [FN]: () => TaskOutcome.fail(undefined, undefined, { afterSeconds: 1 }) },
    expect: {
      status: 'SUCCEEDED',
      output: { Message: 'test_message_txt', states_all_error: { Error: null, Cause: null } },
      check: r => {
        const failed = r.events.find(e => e.type === 'TaskFailed') as any;
        expect(Object.keys(failed.taskFailedEventDetails).sort()).toEqual(['resource', 'resourceType']);
      },
    },
  },
  {
    name: 'callback: SendTaskFailure with an error and no cause: Cause null',
    source: `${LS}callback/test_callback.snapshot.json#test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_WAIT_FOR_TASK_TOKEN_CATCH]`,
    definition: {
      StartAt: 'SendMessageWithWait',
      States: {
        SendMessageWithWait: callbackCatching([{ ErrorEquals: ['States.ALL'], Next: 'Caught' }]),
        Caught: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: () => TaskOutcome.fail('Rejected') },
    expect: { status: 'SUCCEEDED', output: { Error: 'Rejected', Cause: null } },
  },
  {
    name: 'callback: no answer before TimeoutSeconds fails with States.Timeout',
    source: `${LS}callback/test_callback.snapshot.json#test_sqs_wait_for_task_token_timeout`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE_WFTT,
      TimeoutSeconds: 5,
      Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
    }, 'SendMessageWithWaitAndTimeout'),
    tasks: { [FN]: () => TaskOutcome.never() },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskTimedOut', 'ExecutionFailed'],
      check: r => expect(at(first(r, 'TaskTimedOut'))).toBe(5),
    },
  },
  {
    name: 'callback: no answer and no task timeout - the state machine TimeoutSeconds ends the execution TIMED_OUT',
    source: `${DOC}state-task.html`,
    definition: {
      TimeoutSeconds: 60,
      ...single({
        Type: 'Task',
        Resource: INVOKE_WFTT,
        Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } },
      }),
    },
    tasks: { [FN]: () => TaskOutcome.never() },
    expect: {
      status: 'TIMED_OUT',
      check: r => {
        expect(types(r)[types(r).length - 1]).toBe('ExecutionTimedOut');
        expect((r.stopDate.getTime() - CONFORMANCE_START.getTime()) / 1000).toBe(60);
      },
    },
  },
  {
    name: 'callback: .waitForTaskToken is refused in an Express state machine',
    source: `${LS}test_sfn_api_validation.snapshot.json#test_validate_state_machine_definition_type_express[ILLEGAL_WFTT]`,
    definition: single({ Type: 'Task', Resource: INVOKE_WFTT, Parameters: { FunctionName: FN, Payload: { 'TaskToken.$': '$$.Task.Token' } } }),
    options: { type: 'EXPRESS' },
    expect: { invalid: /waitForTaskToken/ },
  },

  // ---------------------------------------------------------------- execution timeout
  {
    name: 'state machine TimeoutSeconds ends a long Wait with TIMED_OUT',
    source: `${LS}timeouts/test_timeouts.snapshot.json#test_global_timeout`,
    definition: { TimeoutSeconds: 5, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 100, End: true } } },
    expect: {
      status: 'TIMED_OUT',
      check: r => {
        expect(types(r).slice(0, 2)).toEqual(['ExecutionStarted', 'WaitStateEntered']);
        expect(types(r)[types(r).length - 1]).toBe('ExecutionTimedOut');
        expect(types(r)).not.toContain('WaitStateExited');
        expect((r.stopDate.getTime() - CONFORMANCE_START.getTime()) / 1000).toBe(5);
        expect(r.output).toBeUndefined();
      },
    },
  },
  {
    name: 'state machine TimeoutSeconds: a run that ends in time is not affected',
    source: `${DOC}statemachine-structure.html`,
    definition: { TimeoutSeconds: 50, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 49, End: true } } },
    input: { a: 1 },
    expect: { status: 'SUCCEEDED', output: { a: 1 } },
  },
  {
    name: 'state machine TimeoutSeconds also stops a slow task',
    source: `${DOC}statemachine-structure.html`,
    definition: { TimeoutSeconds: 20, ...single(invoke()) },
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 30 }) },
    expect: {
      status: 'TIMED_OUT',
      check: r => expect((r.stopDate.getTime() - CONFORMANCE_START.getTime()) / 1000).toBe(20),
    },
  },

  // ---------------------------------------------------------------- data limit
  {
    name: 'States.DataLimitExceeded: a lambda:invoke result over 256 KiB fails the task, a catcher for it gets the error',
    source: `${LS}error_handling/test_states_errors.snapshot.json#test_service_task_lambada_data_limit_exceeded_on_large_utf8_response`,
    definition: {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' },
          Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'HandleDataLimitExceeded' }],
          End: true,
        },
        HandleDataLimitExceeded: { Type: 'Pass', End: true },
      },
    },
    input: { FunctionName: FN, Payload: null },
    tasks: { [FN]: () => 'ÿ'.repeat(257 * 1024 / 2) },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'States.DataLimitExceeded', Cause: DATA_LIMIT_LAMBDA },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed',
        'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'States.DataLimitExceeded is caught by States.ALL',
    source: `${LS}error_handling/test_states_errors.snapshot.json#test_service_task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response`,
    definition: {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: invoke({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'HandleGeneralError' }], End: true }),
        HandleGeneralError: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: () => 'a'.repeat(257 * 1024) },
    expect: { status: 'SUCCEEDED', output: { Error: 'States.DataLimitExceeded', Cause: DATA_LIMIT_LAMBDA } },
  },
  {
    name: 'States.DataLimitExceeded from a legacy Lambda resource names the function ARN',
    source: `${LS}error_handling/test_states_errors.snapshot.json#test_task_lambda_data_limit_exceeded_on_large_utf8_response`,
    definition: {
      StartAt: 'InvokeLambda',
      States: {
        InvokeLambda: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'H' }], End: true },
        H: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: () => 'a'.repeat(257 * 1024) },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'States.DataLimitExceeded', Cause: `The state/task '${FN}' returned a result with a size exceeding the maximum number of bytes service limit.` },
      check: r => expect(types(r)).toContain('LambdaFunctionFailed'),
    },
  },
  {
    name: 'States.DataLimitExceeded from a Pass state result over 256 KiB fails the execution',
    source: `${LS}error_handling/test_states_errors.snapshot.json#test_start_large_input`,
    definition: single({ Type: 'Pass', Result: { Arg1: 'a'.repeat(257 * 1024) } }, 'State_1'),
    expect: {
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit.",
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed'],
    },
  },
  {
    name: 'a result just under 256 KiB passes',
    source: `${DOC}service-quotas.html`,
    definition: single({ Type: 'Pass', Result: 'a'.repeat(250 * 1024) }),
    expect: { status: 'SUCCEEDED', check: r => expect((r.output as string).length).toBe(250 * 1024) },
  },

  // ---------------------------------------------------------------- Wait
  {
    name: 'wait: Seconds 10 advances virtual time by 10 s',
    source: `${DOC}state-wait.html`,
    definition: single({ Type: 'Wait', Seconds: 10 }),
    input: { a: 1 },
    expect: {
      status: 'SUCCEEDED',
      output: { a: 1 },
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded'],
      check: r => {
        expect(at(first(r, 'WaitStateEntered'))).toBe(0);
        expect(at(first(r, 'WaitStateExited'))).toBe(10);
        expect((r.stopDate.getTime() - CONFORMANCE_START.getTime()) / 1000).toBe(10);
      },
    },
  },
  {
    name: 'wait: Timestamp waits until that instant',
    source: `${DOC}state-wait.html`,
    definition: single({ Type: 'Wait', Timestamp: '2024-01-01T00:01:30Z' }),
    expect: { status: 'SUCCEEDED', check: r => expect(at(first(r, 'WaitStateExited'))).toBe(90) },
  },
  {
    name: 'wait: a Timestamp in the past does not wait',
    source: `${DOC}state-wait.html`,
    definition: single({ Type: 'Wait', Timestamp: '2016-03-14T01:59:00Z' }),
    expect: { status: 'SUCCEEDED', check: r => expect(at(first(r, 'WaitStateExited'))).toBe(0) },
  },
  {
    name: 'wait: SecondsPath 0 does not wait',
    source: `${LS}base/test_wait.snapshot.json#test_base_wait_seconds_path[0]`,
    definition: single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'),
    input: { input: { waitSeconds: 0 } },
    expect: { status: 'SUCCEEDED', output: { input: { waitSeconds: 0 } } },
  },
  {
    name: 'wait: SecondsPath 7 waits 7 s',
    source: `${LS}base/test_wait.snapshot.json#test_base_wait_seconds_path[1]`,
    definition: single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'),
    input: { input: { waitSeconds: 7 } },
    expect: { status: 'SUCCEEDED', check: r => expect(at(first(r, 'WaitStateExited'))).toBe(7) },
  },
  {
    name: 'wait: SecondsPath referencing a negative value fails with States.Runtime',
    source: `${LS}base/test_wait.snapshot.json#test_base_wait_seconds_path[-1]`,
    definition: single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'),
    input: { input: { waitSeconds: -1 } },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath parameter references a negative value: $.input.waitSeconds == -1",
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'ExecutionFailed'],
    },
  },
  {
    name: 'wait: SecondsPath referencing 1.5 fails with States.Runtime (not a long)',
    source: `${LS}base/test_wait.snapshot.json#test_base_wait_seconds_path[1.5]`,
    definition: single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'),
    input: { input: { waitSeconds: 1.5 } },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5",
    },
  },
  {
    name: 'wait: TimestampPath with fractional seconds and Z waits until then',
    source: `${LS}base/test_wait.snapshot.json#test_wait_timestamppath[.00Z]`,
    definition: single({ Type: 'Wait', TimestampPath: '$.start_at' }, 'State_1'),
    input: { start_at: '2024-01-01T00:00:20.00Z' },
    expect: { status: 'SUCCEEDED', output: { start_at: '2024-01-01T00:00:20.00Z' }, check: r => expect(at(first(r, 'WaitStateExited'))).toBe(20) },
  },
  {
    name: 'wait: TimestampPath without a zone fails with States.Runtime',
    source: `${LS}base/test_wait.snapshot.json#test_wait_timestamppath[]`,
    definition: single({ Type: 'Wait', TimestampPath: '$.start_at' }, 'State_1'),
    input: { start_at: '2024-01-01T00:00:20' },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'State_1' (entered at the event id #2). The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.start_at == 2024-01-01T00:00:20",
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'ExecutionFailed'],
    },
  },
  {
    name: 'wait: a Timestamp 24856 days ahead is too long a delay (States.Runtime)',
    source: `${LS}base/test_wait.snapshot.json#test_timestamp_too_far_in_future_boundary[24856]`,
    definition: single({ Type: 'Wait', TimestampPath: '$.start_at' }, 'State_1'),
    input: { start_at: new Date(CONFORMANCE_START.getTime() + 24856 * 86400_000).toISOString() },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'State_1' (entered at the event id #2). Wait state delay is too long.",
    },
  },
  {
    name: 'wait: SecondsPath to a missing field fails with States.Runtime, in AWS\'s words for the Wait state',
    source: `${LS}logs/test_logs.snapshot.json#test_base[wait_seconds_path.json5_ALL_False]`,
    definition: single({ Type: 'Wait', SecondsPath: '$.input.waitSeconds' }, 'WaitState'),
    input: {},
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath parameter does not reference an input value: $.input.waitSeconds",
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'ExecutionFailed'],
    },
  },
  {
    // No AWS recording of a missing TimestampPath; the same rule as SecondsPath (same message shape).
    name: 'wait: TimestampPath to a missing field fails with States.Runtime, as SecondsPath does',
    source: `${DOC}state-wait.html`,
    definition: single({ Type: 'Wait', TimestampPath: '$.start_at' }, 'State_1'),
    input: { other: 1 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'State_1' (entered at the event id #2). The TimestampPath parameter does not reference an input value: $.start_at",
    },
  },
  {
    name: 'wait: a Wait state with both Seconds and Timestamp is refused',
    source: `${DOC}state-wait.html`,
    definition: single({ Type: 'Wait', Seconds: 1, Timestamp: '2024-01-01T00:00:00Z' }),
    expect: { invalid: /Seconds|Timestamp/ },
  },

  // ---------------------------------------------------------------- Parallel and inline Map
  {
    name: 'parallel: the output is the array of branch outputs, in branch order, whatever their durations',
    source: `${DOC}state-parallel.html`,
    definition: single({
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Slow', States: { Slow: invoke({ OutputPath: '$.Payload', End: true }) } },
        { StartAt: 'Fast', States: { Fast: { Type: 'Pass', Result: 'fast', End: true } } },
      ],
    }),
    input: { n: 1 },
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input, { afterSeconds: 20 }) },
    expect: {
      status: 'SUCCEEDED',
      output: [{ n: 1 }, 'fast'],
      check: r => {
        expect(types(r).slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
        expect(types(r).slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
        expect(at(first(r, 'ParallelStateExited'))).toBe(20);
      },
    },
  },
  {
    name: 'parallel: branches run at the same time (two 10 s tasks end at 10 s)',
    source: `${DOC}state-parallel.html`,
    definition: single({
      Type: 'Parallel',
      Branches: [1, 2].map(i => ({ StartAt: `T${i}`, States: { [`T${i}`]: invoke({ OutputPath: '$.Payload', End: true }) } })),
    }),
    input: { v: 'x' },
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input.v, { afterSeconds: 10 }) },
    expect: { status: 'SUCCEEDED', output: ['x', 'x'], check: r => expect(at(first(r, 'ExecutionSucceeded'))).toBe(10) },
  },
  {
    name: 'parallel: Parameters, ResultSelector and ResultPath shape the branches\' input and the result',
    source: `${DOC}state-parallel.html`,
    definition: single({
      Type: 'Parallel',
      Parameters: { 'v.$': '$.value' },
      Branches: [
        { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
        { StartAt: 'B', States: { B: { Type: 'Pass', Parameters: { 'w.$': '$.v' }, End: true } } },
      ],
      ResultSelector: { 'first.$': '$[0].v', 'second.$': '$[1].w' },
      ResultPath: '$.res',
    }),
    input: { value: 5 },
    expect: { status: 'SUCCEEDED', output: { value: 5, res: { first: 5, second: 5 } } },
  },
  {
    name: 'map: ItemsPath selects the array, the output is the array of iteration outputs',
    source: `${DOC}state-map-inline.html`,
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.v, $.v)' }, End: true } } },
    }),
    input: { items: [{ v: 1 }, { v: 2 }, { v: 3 }] },
    expect: { status: 'SUCCEEDED', output: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }] },
  },
  {
    name: 'map: ItemSelector with $$.Map.Item.Value and $$.Map.Item.Index',
    source: `${DOC}state-map-inline.html`,
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'extra.$': '$.extra' },
      ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    }),
    input: { items: ['a', 'b'], extra: true },
    expect: { status: 'SUCCEEDED', output: [{ value: 'a', index: 0, extra: true }, { value: 'b', index: 1, extra: true }] },
  },
  {
    name: 'map (legacy): Iterator and Parameters',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_parameters_legacy`,
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      Parameters: { 'item.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
      Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    }),
    input: { items: [10, 20] },
    expect: { status: 'SUCCEEDED', output: [{ item: 10, i: 0 }, { item: 20, i: 1 }] },
  },
  {
    name: 'map: MaxConcurrency 1 runs the iterations one after another (3 x 10 s = 30 s)',
    source: `${DOC}state-map-inline.html`,
    definition: single({
      Type: 'Map',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'T', States: { T: invoke({ OutputPath: '$.Payload', End: true }) } },
    }),
    input: [1, 2, 3],
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input * 10, { afterSeconds: 10 }) },
    expect: {
      status: 'SUCCEEDED',
      output: [10, 20, 30],
      check: r => {
        expect(times(r, 'TaskScheduled')).toEqual([0, 10, 20]);
        expect(at(first(r, 'MapStateExited'))).toBe(30);
      },
    },
  },
  {
    name: 'map: MaxConcurrency 0 (the default) runs all iterations at once (3 x 10 s end at 10 s)',
    source: `${DOC}state-map-inline.html`,
    definition: single({
      Type: 'Map',
      MaxConcurrency: 0,
      ItemProcessor: { StartAt: 'T', States: { T: invoke({ OutputPath: '$.Payload', End: true }) } },
    }),
    input: [1, 2, 3],
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input, { afterSeconds: 10 }) },
    expect: {
      status: 'SUCCEEDED',
      output: [1, 2, 3],
      check: r => {
        expect(times(r, 'TaskScheduled')).toEqual([0, 0, 0]);
        expect(at(first(r, 'MapStateExited'))).toBe(10);
      },
    },
  },
  {
    name: 'map: MaxConcurrency 2 over 4 items of 10 s takes 20 s',
    source: `${DOC}state-map-inline.html`,
    definition: single({
      Type: 'Map',
      MaxConcurrency: 2,
      ItemProcessor: { StartAt: 'T', States: { T: invoke({ OutputPath: '$.Payload', End: true }) } },
    }),
    input: [1, 2, 3, 4],
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input, { afterSeconds: 10 }) },
    expect: { status: 'SUCCEEDED', output: [1, 2, 3, 4], check: r => expect(at(first(r, 'MapStateExited'))).toBe(20) },
  },
  {
    name: 'map: an empty array gives [] without iterations',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_eval_jsonata[empty]`,
    definition: single({ Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }, 'MapIterateState'),
    input: [],
    expect: {
      status: 'SUCCEEDED',
      output: [],
      eventTypes: ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded'],
      check: r => expect(details(first(r, 'MapStateStarted'), 'mapStateStartedEventDetails')).toEqual({ length: 0 }),
    },
  },
  {
    name: 'map: ItemsPath to something that is not an array fails with States.Runtime',
    source: `${DOC}state-map-inline.html`,
    definition: single({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }),
    input: { items: { not: 'an array' } },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },

  // ---------------------------------------------------------------- Lambda integrations
  {
    name: 'lambda:invoke result is {ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_lambda_task_resource_data_flow[TASK_LAMBDA_SDK_RESOURCE_JSONPATH_TO_JSONATA]`,
    definition: single({
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { Payload: { foo: 'foo-1' }, FunctionName: FN },
    }, 'JsonPathState'),
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
      check: r => {
        const out = r.output as any;
        expect(out).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { foo: 'foo-1' }, StatusCode: 200 });
        expect(Object.keys(out).sort()).toEqual(['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);
        expect(out.SdkHttpMetadata).toMatchObject({ HttpStatusCode: 200 });
        const scheduled = details(first(r, 'TaskScheduled'), 'taskScheduledEventDetails');
        expect(scheduled).toMatchObject({ resource: 'invoke', resourceType: 'lambda', region: 'us-east-1' });
        expect(json(scheduled.parameters)).toEqual({ Payload: { foo: 'foo-1' }, FunctionName: FN });
      },
    },
  },
  {
    name: 'lambda:invoke with OutputPath $.Payload returns the function\'s own result',
    source: `${DOC}connect-lambda.html`,
    definition: single(invoke({ OutputPath: '$.Payload' })),
    input: { q: 'x' },
    tasks: { [FN]: (req: TaskRequest) => ({ answer: req.input.q + '!' }) },
    expect: { status: 'SUCCEEDED', output: { answer: 'x!' } },
  },
  {
    name: 'legacy Lambda resource: the result is the function\'s own result, with LambdaFunction* events',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_lambda_task_resource_data_flow[TASK_LAMBDA_LEGACY_RESOURCE_JSONPATH_TO_JSONATA]`,
    definition: {
      StartAt: 'JsonPathState',
      States: {
        JsonPathState: { Type: 'Task', Resource: FN, Parameters: { Payload: { foo: 'foo-1' } }, Next: 'JsonataState' },
        JsonataState: { QueryLanguage: 'JSONata', Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      output: { Payload: { foo: 'foo-1' } },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded',
        'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      check: r => {
        const sched = details(first(r, 'LambdaFunctionScheduled'), 'lambdaFunctionScheduledEventDetails');
        expect(sched.resource).toBe(FN);
        expect(json(sched.input)).toEqual({ Payload: { foo: 'foo-1' } });
      },
    },
  },
  {
    name: 'legacy Lambda resource without Parameters: the function gets the state input',
    source: `${LS}error_handling/test_task_lambda.snapshot.json#test_raise_exception_catch`,
    definition: single({ Type: 'Task', Resource: FN }),
    input: { FunctionName: 'f', Payload: null },
    tasks: { [FN]: echo },
    expect: { status: 'SUCCEEDED', output: { FunctionName: 'f', Payload: null } },
  },
  {
    name: 'lambda:invoke function error: error is the errorType, cause the error JSON',
    source: `${LS}error_handling/test_task_service_lambda.snapshot.json#test_raise_exception`,
    definition: single({ Type: 'Task', Resource: INVOKE, Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' } }, 'InvokeLambda'),
    input: { FunctionName: FN, Payload: null },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'FAILED',
      error: 'Exception',
      cause: LAMBDA_CAUSE,
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed'],
      check: r => expect(details(first(r, 'TaskFailed'), 'taskFailedEventDetails')).toMatchObject({ error: 'Exception', cause: LAMBDA_CAUSE, resource: 'invoke', resourceType: 'lambda' }),
    },
  },
  {
    name: 'legacy Lambda resource function error: LambdaFunctionFailed and the execution fails with it',
    source: `${LS}error_handling/test_task_lambda.snapshot.json#test_raise_exception`,
    definition: single({ Type: 'Task', Resource: FN }, 'Start'),
    input: { FunctionName: 'f', Payload: null },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'FAILED',
      error: 'Exception',
      cause: LAMBDA_CAUSE,
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed'],
      check: r => expect(details(first(r, 'LambdaFunctionFailed'), 'lambdaFunctionFailedEventDetails')).toMatchObject({ error: 'Exception', cause: LAMBDA_CAUSE }),
    },
  },
  {
    name: 'lambda:invoke function error caught with ResultPath and OutputPath',
    source: `${LS}error_handling/test_task_service_lambda.snapshot.json#test_raise_exception_catch_output_path[$.Payload]`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['Exception'], ResultPath: '$.err', Next: 'P' }], End: true }),
        P: { Type: 'Pass', OutputPath: '$.err', End: true },
      },
    },
    input: { k: 1 },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: { status: 'SUCCEEDED', output: { Error: 'Exception', Cause: LAMBDA_CAUSE } },
  },
  {
    name: 'a handler that throws a plain Error fails the task with the error\'s name',
    source: `${DOC}concepts-error-handling.html`,
    definition: {
      StartAt: 'T',
      States: {
        T: invoke({ Catch: [{ ErrorEquals: ['RangeError'], Next: 'P' }], End: true }),
        P: { Type: 'Pass', Parameters: { 'e.$': '$.Error' }, End: true },
      },
    },
    tasks: { [FN]: () => { throw new RangeError('out of range'); } },
    expect: { status: 'SUCCEEDED', output: { e: 'RangeError' } },
  },

  // ---------------------------------------------------------------- history
  {
    name: 'history: a single Pass state - types, ids and previousEventIds',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_EMPTY]`,
    definition: single({ Type: 'Pass' }, 'State0'),
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      output: { input_value: 'input_value_literal' },
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      transitions: 1,
      check: r => {
        expect(r.events.map(e => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 0], [3, 2], [4, 3]]);
        expect(json(details(r.events[0], 'executionStartedEventDetails').input)).toEqual({ input_value: 'input_value_literal' });
        expect(details(r.events[1], 'stateEnteredEventDetails').name).toBe('State0');
        expect(json(details(r.events[2], 'stateExitedEventDetails').output)).toEqual({ input_value: 'input_value_literal' });
        expect(json(details(r.events[3], 'executionSucceededEventDetails').output)).toEqual({ input_value: 'input_value_literal' });
      },
    },
  },
  {
    name: 'history: lambda:invoke task - ids and previousEventIds chain one to the next',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_lambda_task_resource_data_flow[TASK_LAMBDA_SDK_RESOURCE_JSONATA_TO_JSONPATH]`,
    definition: {
      StartAt: 'JsonataState',
      States: {
        JsonataState: { QueryLanguage: 'JSONata', Type: 'Task', Resource: INVOKE, Arguments: { Payload: { foo: 'foo-1' }, FunctionName: FN }, Next: 'JsonPathState' },
        JsonPathState: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      transitions: 2,
      check: r => expect(r.events.map(e => [e.id, e.previousEventId]))
        .toEqual([[1, 0], [2, 0], [3, 2], [4, 3], [5, 4], [6, 5], [7, 6], [8, 7], [9, 8]]),
    },
  },
  {
    name: 'history: inline Map - iteration events and their previousEventIds',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_map[ITEMS]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Map',
          Items: [1, '{% $number("2") %}', 3],
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Process', States: { Process: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: [1, 2, 3],
      transitions: 4,
      check: r => {
        expect(r.events.map(e => [e.id, e.previousEventId, e.type])).toEqual([
          [1, 0, 'ExecutionStarted'], [2, 0, 'MapStateEntered'], [3, 2, 'MapStateStarted'],
          [4, 3, 'MapIterationStarted'], [5, 4, 'PassStateEntered'], [6, 5, 'PassStateExited'], [7, 6, 'MapIterationSucceeded'],
          [8, 6, 'MapIterationStarted'], [9, 8, 'PassStateEntered'], [10, 9, 'PassStateExited'], [11, 10, 'MapIterationSucceeded'],
          [12, 10, 'MapIterationStarted'], [13, 12, 'PassStateEntered'], [14, 13, 'PassStateExited'], [15, 14, 'MapIterationSucceeded'],
          [16, 15, 'MapStateSucceeded'], [17, 15, 'MapStateExited'], [18, 17, 'ExecutionSucceeded'],
        ]);
        expect(details(first(r, 'MapIterationStarted', 1), 'mapIterationStartedEventDetails')).toEqual({ index: 1, name: 'Start' });
        expect(details(first(r, 'MapStateStarted'), 'mapStateStartedEventDetails')).toEqual({ length: 3 });
      },
    },
  },
  {
    name: 'history: a failing Fail state - ExecutionFailed carries its error and cause',
    source: `${DOC}state-fail.html`,
    definition: single({ Type: 'Fail', Error: 'E', Cause: 'C' }, 'F'),
    expect: {
      status: 'FAILED',
      error: 'E',
      cause: 'C',
      transitions: 1,
      eventTypes: ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed'],
      check: r => {
        expect(r.events.map(e => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 0], [3, 2]]);
        expect(details(r.events[2], 'executionFailedEventDetails')).toEqual({ error: 'E', cause: 'C' });
      },
    },
  },
  {
    name: 'history: Succeed and Choice states',
    source: `${DOC}state-choice.html`,
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Yes' }], Default: 'No' },
        Yes: { Type: 'Succeed' },
        No: { Type: 'Fail' },
      },
    },
    input: { go: true },
    expect: {
      status: 'SUCCEEDED',
      output: { go: true },
      transitions: 2,
      eventTypes: ['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'history: timestamps never go backwards and the last one is the stop date',
    source: `${DOC}state-wait.html`,
    definition: {
      StartAt: 'W1',
      States: {
        W1: { Type: 'Wait', Seconds: 5, Next: 'T' },
        T: invoke({ Next: 'W2' }),
        W2: { Type: 'Wait', Seconds: 7, End: true },
      },
    },
    tasks: { [FN]: () => TaskOutcome.succeed(1, { afterSeconds: 3 }) },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const ts = r.events.map(at);
        expect([...ts].sort((a, b) => a - b)).toEqual(ts);
        expect(ts[ts.length - 1]).toBe(15);
        expect(r.startDate.getTime()).toBe(CONFORMANCE_START.getTime());
        expect(r.stopDate.getTime() - CONFORMANCE_START.getTime()).toBe(15_000);
      },
    },
  },
  {
    name: 'transitions: three Pass states are three transitions',
    source: `${DOC}concepts-statemachines.html`,
    definition: {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Pass', End: true } },
    },
    expect: { status: 'SUCCEEDED', output: {}, transitions: 3 },
  },
  {
    name: 'transitions: each retry counts as a transition',
    source: `${DOC}concepts-error-handling.html`,
    definition: single(invoke({ OutputPath: '$.Payload', Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 3 }] })),
    input: 1,
    tasks: { [FN]: failTimes(2) },
    expect: { status: 'SUCCEEDED', output: 1, transitions: 3 },
  },
];
