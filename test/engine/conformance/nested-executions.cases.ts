/**
 * Nested executions: `states:startExecution` (request-response, `.sync`, `.sync:2`) and
 * `aws-sdk:sfn:startSyncExecution`, with the child state machines run on the engine.
 */
import { CONFORMANCE_START, ConformanceCase } from './case';
import { all, DOC, first, json, LS } from './helpers';
import type { ExecutionResult } from '../../../src/engine/types';
import { TaskOutcome } from '../../../src/engine/types';

const DOC_SFN = `${DOC}connect-stepfunctions.html`;
const DOC_NESTED = `${DOC}concepts-nested-workflows.html`;

const CHILD = 'arn:aws:states:us-east-1:123456789012:stateMachine:Child';
const FAILING = 'arn:aws:states:us-east-1:123456789012:stateMachine:FailingChild';
const WAITING = 'arn:aws:states:us-east-1:123456789012:stateMachine:WaitingChild';
const ECHO = 'arn:aws:states:us-east-1:123456789012:stateMachine:EchoChild';
const EXPRESS = 'arn:aws:states:us-east-1:123456789012:stateMachine:ExpressChild';
const SLOW_TASK = 'arn:aws:states:us-east-1:123456789012:stateMachine:SlowTaskChild';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:slow';
const PARENT_ARN = 'arn:aws:states:us-east-1:123456789012:execution:LocalStateMachine:local-execution';

/** BASE_PASS_RESULT and BASE_RAISE_FAILURE, the child state machines of the recorded runs. */
const passResult = { StartAt: 'State_1', States: { State_1: { Type: 'Pass', Result: { Arg1: 'argument1' }, End: true } } };
const raiseFailure = {
  StartAt: 'FailState',
  States: { FailState: { Type: 'Fail', Error: 'SomeFailure', Cause: 'This state machines raises a \'SomeFailure\' failure.' } },
};
const FAILURE_CAUSE = 'This state machines raises a \'SomeFailure\' failure.';
const stateMachines = {
  [CHILD]: { definition: passResult },
  [FAILING]: { definition: raiseFailure },
  [WAITING]: { definition: { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 100, Next: 'Done' }, Done: { Type: 'Pass', Result: 'done', End: true } } } },
  [ECHO]: { definition: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } } },
  [EXPRESS]: { definition: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$' }, End: true } } }, type: 'EXPRESS' as const },
  [SLOW_TASK]: { definition: { StartAt: 'Start', States: { Start: { Type: 'Task', Resource: FN, TimeoutSeconds: 5, End: true } } } },
};

/** The recorded parent: one Task starting the target with the input's StateMachineArn, Input and Name. */
const start = (resource: string, extra: Record<string, unknown> = {}) => {
  const task: Record<string, unknown> = {
    Type: 'Task',
    Resource: resource,
    Parameters: { 'StateMachineArn.$': '$.StateMachineArn', 'Input.$': '$.Input', 'Name.$': '$.Name' },
    End: true,
    ...extra,
  };
  if ('Next' in extra) delete task.End;
  const states: Record<string, object> = { StartExecution: task };
  if (extra.Next === 'Handled') states.Handled = { Type: 'Pass', End: true };
  return { StartAt: 'StartExecution', States: states };
};
const SYNC_EVENTS = ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded',
  'TaskStateExited', 'ExecutionSucceeded'];
const childArn = (sm: string, name: string) => `${sm.replace(':stateMachine:', ':execution:')}:${name}`;

const child = (r: ExecutionResult, n = 0) => {
  const c = r.children[n];
  if (!c) throw new Error(`no child #${n} (${r.children.length} recorded)`);
  return c;
};
const inputOf = (e: ExecutionResult) => json((e.events[0].executionStartedEventDetails as any).input);
const seconds = (d: Date) => (new Date(d).getTime() - CONFORMANCE_START.getTime()) / 1000;

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- request-response
  {
    name: 'startExecution: request-response returns the ExecutionArn (<state machine>:<Name>) and StartDate at once',
    source: `${LS}services/test_sfn_task_service.snapshot.json#test_start_execution`,
    definition: start('arn:aws:states:::states:startExecution'),
    input: { StateMachineArn: CHILD, Input: null, Name: 'TestStartTarget' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
      output: expect.objectContaining({ ExecutionArn: childArn(CHILD, 'TestStartTarget'), StartDate: expect.anything() }),
      check: r => {
        expect(first(r, 'TaskScheduled').taskScheduledEventDetails).toMatchObject({ resource: 'startExecution', resourceType: 'states' });
        expect(json((first(r, 'TaskScheduled').taskScheduledEventDetails as any).parameters)).toEqual({ StateMachineArn: CHILD, Input: null, Name: 'TestStartTarget' });
      },
    },
  },
  {
    name: 'startExecution: the child runs with the Input object and appears in result.children',
    source: `${LS}services/test_sfn_task_service.snapshot.json#test_start_execution_input_json`,
    definition: start('arn:aws:states:::states:startExecution'),
    input: { StateMachineArn: CHILD, Input: { Hello: 'World' }, Name: 'TestStartTarget' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      output: expect.objectContaining({ ExecutionArn: childArn(CHILD, 'TestStartTarget') }),
      check: r => {
        expect(r.children).toHaveLength(1);
        expect(child(r)).toMatchObject({ status: 'SUCCEEDED', output: { Arg1: 'argument1' }, executionArn: childArn(CHILD, 'TestStartTarget') });
        expect(inputOf(child(r))).toEqual({ Hello: 'World' });
      },
    },
  },
  {
    name: 'startExecution: request-response does not wait for the child',
    source: DOC_SFN,
    definition: start('arn:aws:states:::states:startExecution'),
    input: { StateMachineArn: WAITING, Input: {}, Name: 'NoWait' },
    options: { stateMachines },
    expect: { status: 'SUCCEEDED', check: r => expect(seconds(r.stopDate)).toBe(0) },
  },
  {
    name: 'startExecution: without a Name the execution gets a generated one',
    source: DOC_SFN,
    definition: { StartAt: 'Go', States: { Go: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: CHILD }, End: true } } },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      check: r => expect((r.output as any).ExecutionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:Child:[0-9a-f-]{36}$/),
    },
  },

  // ---------------------------------------------------------------- .sync
  {
    name: 'startExecution.sync: the output is DescribeExecution\'s, Input and Output as JSON strings; a null Input starts the child with {}',
    source: `${LS}callback/test_callback.snapshot.json#test_start_execution_sync`,
    definition: start('arn:aws:states:::states:startExecution.sync'),
    input: { StateMachineArn: CHILD, Input: null, Name: 'TestStartTarget' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: SYNC_EVENTS,
      output: {
        ExecutionArn: childArn(CHILD, 'TestStartTarget'),
        Input: '{}',
        InputDetails: { Included: true },
        Name: 'TestStartTarget',
        Output: '{"Arg1":"argument1"}',
        OutputDetails: { Included: true },
        StartDate: expect.anything(),
        StateMachineArn: CHILD,
        Status: 'SUCCEEDED',
        StopDate: expect.anything(),
      },
      check: r => {
        expect(first(r, 'TaskSucceeded').taskSucceededEventDetails).toMatchObject({ resource: 'startExecution.sync', resourceType: 'states' });
        expect(json((first(r, 'TaskSubmitted').taskSubmittedEventDetails as any).output)).toMatchObject({ ExecutionArn: childArn(CHILD, 'TestStartTarget') });
      },
    },
  },
  {
    name: 'startExecution.sync:2: Input and Output are JSON objects',
    source: `${LS}callback/test_callback.snapshot.json#test_start_execution_sync2`,
    definition: start('arn:aws:states:::states:startExecution.sync:2'),
    input: { StateMachineArn: CHILD, Input: null, Name: 'TestStartTarget' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: SYNC_EVENTS,
      output: {
        ExecutionArn: childArn(CHILD, 'TestStartTarget'),
        Input: {},
        InputDetails: { Included: true },
        Name: 'TestStartTarget',
        Output: { Arg1: 'argument1' },
        OutputDetails: { Included: true },
        StartDate: expect.anything(),
        StateMachineArn: CHILD,
        Status: 'SUCCEEDED',
        StopDate: expect.anything(),
      },
      check: r => expect(first(r, 'TaskScheduled').taskScheduledEventDetails).toMatchObject({ resource: 'startExecution.sync:2', resourceType: 'states' }),
    },
  },
  {
    name: 'startExecution.sync: a failed child fails the task with States.TaskFailed, the cause DescribeExecution\'s JSON with Error and Cause',
    source: `${LS}callback/test_callback.snapshot.json#test_start_execution_sync_delegate_failure`,
    definition: start('arn:aws:states:::states:startExecution.sync'),
    input: { StateMachineArn: FAILING, Input: null, Name: 'TestStartTarget' },
    options: { stateMachines },
    expect: {
      status: 'FAILED',
      error: 'States.TaskFailed',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed', 'ExecutionFailed'],
      check: r => {
        expect(JSON.parse(r.cause!)).toEqual({
          Cause: FAILURE_CAUSE,
          Error: 'SomeFailure',
          ExecutionArn: childArn(FAILING, 'TestStartTarget'),
          Input: '{}',
          InputDetails: { Included: true },
          Name: 'TestStartTarget',
          StartDate: expect.anything(),
          StateMachineArn: FAILING,
          Status: 'FAILED',
          StopDate: expect.anything(),
        });
        expect(child(r)).toMatchObject({ status: 'FAILED', error: 'SomeFailure', cause: FAILURE_CAUSE });
      },
    },
  },
  {
    name: 'startExecution.sync: a child whose task timed out - the cause carries Error States.Timeout and no Cause',
    source: `${LS}callback/test_callback.snapshot.json#test_start_execution_sync_delegate_timeout`,
    definition: start('arn:aws:states:::states:startExecution.sync'),
    input: { StateMachineArn: SLOW_TASK, Input: { Payload: null }, Name: 'TestStartTarget' },
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 60 }) },
    options: { stateMachines },
    expect: {
      status: 'FAILED',
      error: 'States.TaskFailed',
      check: r => {
        expect(JSON.parse(r.cause!)).toEqual({
          Error: 'States.Timeout',
          ExecutionArn: childArn(SLOW_TASK, 'TestStartTarget'),
          Input: '{"Payload":null}',
          InputDetails: { Included: true },
          Name: 'TestStartTarget',
          StartDate: expect.anything(),
          StateMachineArn: SLOW_TASK,
          Status: 'FAILED',
          StopDate: expect.anything(),
        });
      },
    },
  },
  {
    name: 'startExecution.sync:2: a failed child also fails the task with States.TaskFailed',
    source: DOC_SFN,
    definition: start('arn:aws:states:::states:startExecution.sync:2'),
    input: { StateMachineArn: FAILING, Input: {}, Name: 'Fails' },
    options: { stateMachines },
    expect: {
      status: 'FAILED',
      error: 'States.TaskFailed',
      check: r => expect(JSON.parse(r.cause!)).toMatchObject({ Error: 'SomeFailure', Cause: FAILURE_CAUSE, Status: 'FAILED' }),
    },
  },
  {
    name: 'startExecution.sync: a Catch on States.TaskFailed handles the failed child',
    source: DOC_SFN,
    definition: start('arn:aws:states:::states:startExecution.sync', {
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Handled' }],
      Next: 'Handled',
    }),
    input: { StateMachineArn: FAILING, Input: {}, Name: 'Caught' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const failure = (r.output as any).failure;
        expect(failure.Error).toBe('States.TaskFailed');
        expect(JSON.parse(failure.Cause)).toMatchObject({ Error: 'SomeFailure', Status: 'FAILED' });
      },
    },
  },
  {
    name: 'startExecution.sync: the task waits for the child (virtual time moves with it)',
    source: DOC_SFN,
    definition: start('arn:aws:states:::states:startExecution.sync:2'),
    input: { StateMachineArn: WAITING, Input: {}, Name: 'Waits' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect(seconds(r.stopDate)).toBe(100);
        expect((r.output as any).Output).toBe('done');
        expect(seconds(child(r).stopDate)).toBe(100);
      },
    },
  },
  {
    name: 'startExecution.sync: a Retry on States.TaskFailed starts the child again',
    source: DOC_SFN,
    definition: start('arn:aws:states:::states:startExecution.sync', { Parameters: { StateMachineArn: FAILING }, Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 1 }] }),
    options: { stateMachines },
    expect: {
      status: 'FAILED',
      error: 'States.TaskFailed',
      check: r => {
        expect(r.children).toHaveLength(2);
        expect(r.children.map(c => c.status)).toEqual(['FAILED', 'FAILED']);
      },
    },
  },
  {
    name: 'startExecution.sync: ResultSelector with States.StringToJson turns the Output string back into JSON',
    source: DOC_SFN,
    definition: start('arn:aws:states:::states:startExecution.sync', { ResultSelector: { 'output.$': 'States.StringToJson($.Output)', 'status.$': '$.Status' } }),
    input: { StateMachineArn: CHILD, Input: {}, Name: 'Selected' },
    options: { stateMachines },
    expect: { status: 'SUCCEEDED', output: { output: { Arg1: 'argument1' }, status: 'SUCCEEDED' } },
  },
  {
    name: 'startExecution.sync:2 in JSONata with Arguments',
    source: DOC_SFN,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'Go',
      States: {
        Go: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Arguments: { StateMachineArn: ECHO, Input: { value: '{% $states.input.value %}' } },
          Output: '{% $states.result.Output %}',
          End: true,
        },
      },
    },
    input: { value: 42 },
    options: { stateMachines },
    expect: { status: 'SUCCEEDED', output: { value: 42 } },
  },

  // ---------------------------------------------------------------- started-by, children, billing
  {
    name: 'nested: AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID from $$.Execution.Id reaches the child\'s input',
    source: DOC_NESTED,
    definition: {
      StartAt: 'Go',
      States: {
        Go: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: ECHO, Input: { 'NeedCallback': false, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' } },
          End: true,
        },
      },
    },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const expected = { NeedCallback: false, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: PARENT_ARN };
        expect(inputOf(child(r))).toEqual(expected);
        expect((r.output as any).Output).toEqual(expected);
      },
    },
  },
  {
    name: 'nested: two tasks in a row start two children, recorded in order',
    source: DOC_NESTED,
    definition: {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: ECHO, Input: { n: 1 }, Name: 'one' }, ResultPath: '$.first', Next: 'Second' },
        Second: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: ECHO, Input: { n: 2 }, Name: 'two' }, ResultSelector: { 'out.$': '$.Output' }, ResultPath: '$.second', End: true },
      },
    },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect(r.children.map(c => c.executionArn)).toEqual([childArn(ECHO, 'one'), childArn(ECHO, 'two')]);
        expect(r.children.map(c => c.output)).toEqual([{ n: 1 }, { n: 2 }]);
        expect((r.output as any).second).toEqual({ out: { n: 2 } });
      },
    },
  },
  {
    name: 'nested: a Standard child\'s transitions are billed, not counted in the parent\'s transitions',
    source: DOC_NESTED,
    definition: start('arn:aws:states:::states:startExecution.sync'),
    input: { StateMachineArn: WAITING, Input: {}, Name: 'Billed' },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      transitions: 1,
      check: r => {
        expect(child(r).transitions).toBe(2);
        expect(r.billing).toEqual({ standardTransitions: 3, expressRequests: 0, expressDurationMs: 0 });
      },
    },
  },

  // ---------------------------------------------------------------- startSyncExecution (Express)
  {
    name: 'startSyncExecution: an Express child returns Status SUCCEEDED and its Output as a JSON string',
    source: DOC_SFN,
    definition: {
      StartAt: 'Go',
      States: {
        Go: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:startSyncExecution', Parameters: { StateMachineArn: EXPRESS, Input: { a: 1 } }, End: true },
      },
    },
    options: { stateMachines },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const out = r.output as any;
        expect(out).toMatchObject({ Status: 'SUCCEEDED', StateMachineArn: EXPRESS });
        expect(JSON.parse(out.Output)).toEqual({ got: { a: 1 } });
        expect(JSON.parse(out.Input)).toEqual({ a: 1 });
        expect(out.ExecutionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:express:ExpressChild:/);
        expect(r.billing.expressRequests).toBe(1);
        expect(child(r).status).toBe('SUCCEEDED');
      },
    },
  },
  {
    name: 'startSyncExecution: a failed Express child returns Status FAILED with Error and Cause, and the task succeeds',
    source: DOC_SFN,
    definition: {
      StartAt: 'Go',
      States: {
        Go: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:startSyncExecution', Parameters: { StateMachineArn: FAILING }, End: true },
      },
    },
    options: { stateMachines: { ...stateMachines, [FAILING]: { definition: raiseFailure, type: 'EXPRESS' } } },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect(r.output).toMatchObject({ Status: 'FAILED', Error: 'SomeFailure', Cause: FAILURE_CAUSE });
        expect((r.output as any).Output).toBeUndefined();
        expect(all(r, 'TaskFailed')).toHaveLength(0);
      },
    },
  },
];
