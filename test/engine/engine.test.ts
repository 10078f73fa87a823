/**
 * The engine's own contract, beyond the conformance cases: virtual time and concurrency, budgets,
 * handler misbehaviour, limits, and the errors that stop a run.
 */
import {
  DefinitionError, EngineBudgetError, EngineSetupError, EngineUnsupportedError, LocalS3, TaskError, TaskOutcome, execute,
} from '../../src/engine';
import { Scheduler } from '../../src/engine/scheduler';

const START = new Date('2024-01-01T00:00:00.000Z');
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const invoke = (extra: object = {}) => ({
  Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, ...extra,
});
const seconds = (d: unknown) => ((d as Date).getTime() - START.getTime()) / 1000;

describe('virtual time', () => {
  // https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
  test('Parallel branches run concurrently: the state ends with its slowest branch', async () => {
    const definition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'W10', States: { W10: { Type: 'Wait', Seconds: 10, End: true } } },
            { StartAt: 'W30', States: { W30: { Type: 'Wait', Seconds: 30, End: true } } },
          ],
        },
      },
    };
    const r = await execute(definition, { startTime: START, input: { a: 1 } });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toEqual([{ a: 1 }, { a: 1 }]);
    expect(seconds(r.stopDate)).toBe(30);
    const exits = r.events.filter(e => e.type === 'WaitStateExited').map(e => seconds(e.timestamp));
    expect(exits).toEqual([10, 30]);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html (MaxConcurrency)
  test.each([[0, 10], [1, 30], [2, 20]])('an inline Map with MaxConcurrency %p over 3 items of 10 s ends at %p s', async (max, end) => {
    const definition = {
      StartAt: 'M',
      States: {
        M: { Type: 'Map', MaxConcurrency: max, End: true, ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } } },
      },
    };
    const r = await execute(definition, { startTime: START, input: [1, 2, 3] });
    expect(r.output).toEqual([1, 2, 3]);
    expect(seconds(r.stopDate)).toBe(end);
    const starts = r.events.filter(e => e.type === 'MapIterationStarted').map(e => seconds(e.timestamp));
    expect(starts).toEqual(max === 1 ? [0, 10, 20] : max === 2 ? [0, 0, 10] : [0, 0, 0]);
  });

  test('a failing branch stops its siblings at the time it fails, and they are recorded as aborted', async () => {
    const definition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Slow', States: { Slow: { Type: 'Wait', Seconds: 100, Next: 'Never' }, Never: { Type: 'Pass', End: true } } },
            { StartAt: 'Soon', States: { Soon: { Type: 'Wait', Seconds: 5, Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Boom', Cause: 'b' } } },
          ],
        },
      },
    };
    const r = await execute(definition, { startTime: START });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'b' });
    expect(seconds(r.stopDate)).toBe(5);
    expect(r.states.map(s => s.name)).toEqual(['P', 'Slow', 'Soon', 'Boom']);
    expect(r.states.find(s => s.name === 'Slow')?.aborted).toBe(true);
    expect(r.events.map(e => e.type)).toContain('WaitStateAborted');
    expect(r.transitions).toBe(4);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (JitterStrategy)
  test('FULL jitter is deterministic under a seed and stays under the computed interval', async () => {
    const definition = {
      StartAt: 'T',
      States: { T: invoke({ End: true, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 10, MaxAttempts: 3, JitterStrategy: 'FULL' }] }) },
    };
    const tasks = { [FN]: (req: { attempt: number }) => { if (req.attempt < 4) throw new TaskError('Flaky'); return 'ok'; } };
    const run = (seed: number) => execute(definition, { startTime: START, seed, tasks });
    const [a, b, c] = await Promise.all([run(7), run(7), run(8)]);
    const schedules = (r: typeof a) => r.events.filter(e => e.type === 'TaskScheduled').map(e => seconds(e.timestamp));
    expect(schedules(a)).toEqual(schedules(b));
    expect(schedules(a)).not.toEqual(schedules(c));
    const gaps = schedules(a).slice(1).map((t, i) => t - schedules(a)[i]);
    gaps.forEach((gap, i) => expect(gap).toBeLessThanOrEqual(10 * 2 ** i));
    expect(a.transitions).toBe(4);
  });

  test('a callback that never comes ends the Standard execution at one year, as TIMED_OUT', async () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish.waitForTaskToken', End: true } } };
    const r = await execute(definition, { startTime: START, tasks: { T: () => TaskOutcome.never() } });
    expect(r).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(seconds(r.stopDate)).toBe(365 * 24 * 3600);
    expect(r.events.slice(-2).map(e => e.type)).toEqual(['TaskStateAborted', 'ExecutionTimedOut']);
  });
});

describe('the scheduler', () => {
  test('cancelled timers do not pile up: the heap is rebuilt without them once they are most of it', () => {
    const sched = new Scheduler(0);
    // An Express child's five-minute deadline is cancelled when the child ends, long before its time.
    const timers = Array.from({ length: 5000 }, (_, i) => sched.timer(300_000 + i, () => undefined));
    for (const t of timers) t.cancel();
    const heap = (sched as unknown as { heap: unknown[] }).heap;
    expect(heap.length).toBeLessThan(1024);
    // A timer cancelled twice counts once.
    const t = sched.timer(1, () => undefined);
    t.cancel();
    t.cancel();
    expect((sched as unknown as { cancelled: number }).cancelled).toBe(heap.filter(e => (e as { cancelled: boolean }).cancelled).length);
  });
});

describe('budgets: a run that would not end stops with an error that says which', () => {
  test('transitions: an endless loop', async () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } };
    await expect(execute(definition, { limits: { maxTransitions: 50 } })).rejects.toThrow(EngineBudgetError);
    await expect(execute(definition, { limits: { maxTransitions: 50 } })).rejects.toThrow(/budget of 50 state transitions/);
  });

  test('virtual time: a loop of waits', async () => {
    const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, Next: 'W' } } };
    await expect(execute(definition, { limits: { maxVirtualSeconds: 86_400 } })).rejects.toThrow(/virtual-time budget of 86400 seconds/);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (25,000 history events)
  test('the history limit fails the execution', async () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } };
    const r = await execute(definition, { limits: { maxHistoryEvents: 101 } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(r.cause).toMatch(/maximum number of events in its history \(101\)/);
    expect(r.events).toHaveLength(102);
  });
});

describe('task handlers', () => {
  const one = (extra: object = {}) => ({ StartAt: 'T', States: { T: invoke({ End: true, ...extra }) } });

  test('fails when a task has no handler, and no Catch sees it', async () => {
    const definition = one({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: undefined, Next: 'C' });
    (definition.States as any).C = { Type: 'Pass', End: true };
    await expect(execute(definition)).rejects.toThrow(EngineSetupError);
    await expect(execute(definition)).rejects.toThrow(`task 'T' (arn:aws:states:::lambda:invoke, function ${FN}) has no handler: give one in tasks under one of 'T'`);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
  test('a Lambda function that throws fails the task with its error type and the runtime\'s error JSON as cause', async () => {
    class OrderRejected extends Error {
      constructor(message: string) {
        super(message);
        this.name = 'OrderRejected';
      }
    }
    const r = await execute(one(), { tasks: { [FN]: () => { throw new OrderRejected('no stock'); } } });
    expect(r.error).toBe('OrderRejected');
    expect(JSON.parse(r.cause!)).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'no stock', trace: expect.any(Array) });
  });

  test('a Lambda function that throws a string fails with errorType "string", as the Node.js runtime reports it', async () => {
    const r = await execute(one(), { tasks: { [FN]: () => { throw 'plain text'; } } });
    expect(r.error).toBe('string');
    expect(JSON.parse(r.cause!)).toEqual({ errorType: 'string', errorMessage: 'plain text', trace: [] });
  });

  test('a Lambda function that returns undefined gives a null Payload', async () => {
    const r = await execute(one(), { tasks: { [FN]: () => undefined } });
    expect(r.output).toMatchObject({ Payload: null, StatusCode: 200, ExecutedVersion: '$LATEST' });
  });

  test('a Lambda function whose result cannot be serialized fails the task', async () => {
    const circular: any = {};
    circular.self = circular;
    const r = await execute(one(), { tasks: { [FN]: () => circular } });
    expect(r.error).toBe('Error');
    expect(JSON.parse(r.cause!).errorMessage).toBe('Unable to stringify response body');
  });

  test('a result over 256 KiB fails the task with States.DataLimitExceeded, which a Catch can handle', async () => {
    const definition = one({ End: undefined, Next: 'Ok', Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'Too big' }] });
    Object.assign(definition.States, { 'Ok': { Type: 'Succeed' }, 'Too big': { Type: 'Pass', End: true } });
    const r = await execute(definition, { tasks: { [FN]: () => 'x'.repeat(262_144) } });
    expect(r.states.map(s => s.name)).toEqual(['T', 'Too big']);
    expect(r.output).toEqual({ Error: 'States.DataLimitExceeded', Cause: "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit." });
  });

  test('the handler sees the effective Payload, the attempt and the task token of a callback task', async () => {
    const seen: any[] = [];
    const definition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token', 'n.$': '$.n' } }, End: true } },
    };
    const r = await execute(definition, { input: { n: 3 }, seed: 1, tasks: { [FN]: req => { seen.push(req); return { done: req.input.n }; } } });
    expect(r.output).toEqual({ done: 3 });
    expect(seen[0]).toMatchObject({ state: 'T', pattern: 'callback', integration: 'lambda', attempt: 1, input: { n: 3, token: seen[0].taskToken } });
  });
});

describe('definitions refused before anything runs', () => {
  test.each([
    ['a state name over 80 characters', { StartAt: 'x'.repeat(81), States: { ['x'.repeat(81)]: { Type: 'Pass', End: true } } }, /a state name has at most 80 characters \(it has 81\)/],
    ['Parameters in a JSONata state', { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Parameters: {}, End: true } } }, /state 'P': the field 'Parameters' is not supported in JSONata states \(use Arguments\)/],
    ['Arguments in a JSONPath state', { StartAt: 'P', States: { P: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Arguments: {}, End: true } } }, /state 'P': the field 'Arguments' is supported only in JSONata states/],
    ['a Next that is not a state', { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Q' } } }, /state 'P': Next 'Q' is not a state of the same scope/],
    ['an unreachable state', { StartAt: 'P', States: { P: { Type: 'Pass', End: true }, Q: { Type: 'Pass', End: true } } }, /state 'Q' in the state machine cannot be reached from StartAt/],
    ['States.ALL not last', { StartAt: 'T', States: { T: { ...invoke(), End: true, Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] } } }, /States.ALL must appear alone, in the last retrier or catcher/],
    ['a JSONPath state inside a JSONata state machine', { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } } }, /a JSONPath state cannot be used in a JSONata state machine/],
  ])('fails when the definition has %s', async (_name, definition, message) => {
    await expect(execute(definition)).rejects.toThrow(DefinitionError);
    await expect(execute(definition)).rejects.toThrow(message);
  });

});

describe('an inline Map with tolerated failures runs, as AWS runs it', () => {
  // Recorded: AWS accepts ToleratedFailureCount/Percentage (and JSONata forms) on an inline Map and runs it
  // (localstack evaluate_jsonata test_base_map[TOLERATED_FAILURE_COUNT]); it documents tolerance for
  // Distributed Map runs only, and no recorded inline run tolerates a failure.
  const map = (extra: object, item: object = { Type: 'Pass', End: true }) => ({
    StartAt: 'M', States: { M: { Type: 'Map', ...extra, ItemProcessor: { StartAt: 'I', States: { I: item } }, End: true } },
  });

  test.each([
    ['ToleratedFailureCount', { ToleratedFailureCount: 1 }],
    ['ToleratedFailurePercentage', { ToleratedFailurePercentage: 50 }],
    ['a JSONata ToleratedFailureCount', { QueryLanguage: 'JSONata', Items: [1], ToleratedFailureCount: '{% $variable := 1 %}' }],
  ])('%s: the items run, and the output is theirs', async (_name, extra) => {
    const r = await execute(map(extra), { input: [1] });
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: [1] });
  });

  test('a failed item still fails the Map: the tolerance is read, not applied', async () => {
    const r = await execute(map({ ToleratedFailureCount: 5 }, { Type: 'Fail', Error: 'ItemFailed' }), { input: [1, 2] });
    expect(r).toMatchObject({ status: 'FAILED', error: 'ItemFailed' });
  });

  test('fails with AWS\'s words when the tolerance read from the input is not a number or out of range', async () => {
    const count = await execute(map({ ToleratedFailureCountPath: '$.tolerate', ItemsPath: '$.items' }), { input: { items: [1], tolerate: 'NoNumber' } });
    expect(count).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(count.cause).toMatch(/The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: \$\.tolerate$/);
    const percent = await execute(map({ ToleratedFailurePercentage: 101 }), { input: [1] });
    expect(percent.cause).toMatch(/ToleratedFailurePercentage must be between 0 and 100\.$/);
  });
});

describe('service integrations that name their region and account', () => {
  // "arn:partition:states:region:account:servicename:APIname" (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html).
  const task = (resource: string) => ({ StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, Parameters: { TableName: 't' }, End: true } } });

  test('run as the same integration without them, found by its usual ARN', async () => {
    const r = await execute(task('arn:aws:states:us-east-1:123456789012:aws-sdk:dynamodb:getItem'), {
      tasks: { 'arn:aws:states:::aws-sdk:dynamodb:getItem': req => ({ Item: { table: (req.parameters as any).TableName } }) },
    });
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: { Item: { table: 't' } } });
    expect(r.events.find(e => e.type === 'TaskScheduled')).toMatchObject({ taskScheduledEventDetails: { resourceType: 'aws-sdk:dynamodb', resource: 'getItem' } });
  });

  test('fails when the region or the account is not the execution\'s: Step Functions does not call across them', async () => {
    const error = await execute(task('arn:aws:states:eu-west-1:123456789012:aws-sdk:dynamodb:getItem'), { tasks: { 'arn:aws:states:::aws-sdk:dynamodb:getItem': () => ({}) } }).catch(e => e);
    expect(error).toBeInstanceOf(EngineUnsupportedError);
    expect(error).toMatchObject({ state: 'T', field: 'Resource' });
    expect(error.message).toContain('names region eu-west-1 and account 123456789012, but the execution runs in us-east-1 and 123456789012');
  });
});

describe('documented limits, pinned at their exact boundary on both sides', () => {
  // "The maximum input or result data size for a task in an execution is 256 KiB" (262,144 bytes of UTF-8 JSON)
  // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
  const LIMIT = 262_144;
  const stringOfJsonBytes = (bytes: number) => 'x'.repeat(bytes - 2); // JSON adds the two quotes

  test.each([[LIMIT, 'SUCCEEDED'], [LIMIT + 1, 'FAILED']])('a state output of %i bytes: %s', async (bytes, status) => {
    const r = await execute({ StartAt: 'P', States: { P: { Type: 'Pass', Result: stringOfJsonBytes(bytes), End: true } } });
    expect(r.status).toBe(status);
    if (status === 'FAILED') expect(r.error).toBe('States.DataLimitExceeded');
  });

  test.each([[LIMIT, 'SUCCEEDED'], [LIMIT + 1, 'FAILED']])('a task result of %i bytes: %s', async (bytes, status) => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } } };
    const r = await execute(definition, { tasks: { 'arn:aws:states:::sns:publish': () => stringOfJsonBytes(bytes) } });
    expect(r.status).toBe(status);
    if (status === 'FAILED') {
      expect(r.error).toBe('States.DataLimitExceeded');
      expect(r.events.find(e => e.type === 'TaskFailed')).toBeDefined();
    }
  });

  // A variable's size is that of its JSON text, and so is an Assign's, each up to 256 KiB
  // (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
  test('a variable of 262,145 bytes fails the state', async () => {
    const r = await execute({ StartAt: 'P', States: { P: { Type: 'Pass', Assign: { big: stringOfJsonBytes(LIMIT + 1) }, End: true } } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringContaining("The variable 'big' assigned in state 'P' is larger than 256 KiB.") });
  });

  test.each([[LIMIT, 'SUCCEEDED'], [LIMIT + 1, 'FAILED']])('an Assign of %i bytes of JSON: %s', async (bytes, status) => {
    // {"a":"...","b":1}: 12 bytes around the string's JSON.
    const assign = { a: stringOfJsonBytes(bytes - 12), b: 1 };
    expect(Buffer.byteLength(JSON.stringify(assign))).toBe(bytes);
    const r = await execute({ StartAt: 'P', States: { P: { Type: 'Pass', Assign: assign, End: true } } });
    expect(r.status).toBe(status);
    if (status === 'FAILED') expect(r).toMatchObject({ error: 'States.Runtime', cause: expect.stringContaining("The variables assigned in state 'P' together are larger than 256 KiB.") });
  });

  // A heartbeat that arrives exactly HeartbeatSeconds after the last one is in time; one millisecond later is not.
  test.each([[10, 'SUCCEEDED'], [10.001, 'FAILED']])('HeartbeatSeconds 10, the next heartbeat %s s after the last: %s', async (gap, status) => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          HeartbeatSeconds: 10,
          TimeoutSeconds: 600,
          Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    };
    const r = await execute(definition, { startTime: START, tasks: { [FN]: () => TaskOutcome.succeed('done', { heartbeatsAt: [10, 10 + gap], afterSeconds: 10 + gap + 5 }) } });
    expect(r.status).toBe(status);
    if (status === 'FAILED') expect(r.error).toBe('States.Timeout');
  });

  // States.ArrayGetItem: indexes 0 to length - 1 (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
  test.each([[2, 'SUCCEEDED'], [3, 'FAILED']])('States.ArrayGetItem on 3 items at index %i: %s', async (index, status) => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': `States.ArrayGetItem($.a, ${index})` }, End: true } } };
    const r = await execute(definition, { input: { a: [1, 2, 3] } });
    expect(r.status).toBe(status);
    if (status === 'SUCCEEDED') expect(r.output).toEqual({ v: 3 });
    else expect(r.error).toBe('States.Runtime');
  });
});

describe('fields of the wrong type and task tokens where AWS gives them', () => {
  test('fails when FunctionName selects an object, saying what it found and what it expected', async () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.fn', 'Payload.$': '$' }, End: true } } };
    const r = await execute(definition, { input: { fn: { name: 'f' } }, tasks: { [FN]: () => 1 } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(r.cause).toContain("The field 'FunctionName' of the resource arn:aws:states:::lambda:invoke (state 'T') must be a function name or ARN, a non-empty string; it is an object: {\"name\":\"f\"}");
  });

  test('a states:startExecution.sync task may pass $$.Task.Token to its child (recorded: localstack test_sync_with_task_token)', async () => {
    const child = 'arn:aws:states:us-east-1:123456789012:stateMachine:Child';
    const definition = {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: child, Input: { 'TaskToken.$': '$$.Task.Token' } },
          End: true,
        },
      },
    };
    const r = await execute(definition, { stateMachines: { [child]: { definition: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } } } } });
    expect(r.status).toBe('SUCCEEDED');
    expect((r.output as any).Output.TaskToken).toMatch(/^local-token-/);
  });
});

describe('a map run over many items keeps what its results need', () => {
  /** A Distributed Map over `$.items` with Express children. */
  const overItems = (processor: object, extra: object = {}) => ({
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        End: true,
        ItemsPath: '$.items',
        ...extra,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, ...processor },
      },
    },
  });

  test('past limits.childHistories, a child keeps its outcome and lets its history go; the results are whole', async () => {
    const s3 = new LocalS3().createBucket('results');
    const definition = overItems(
      { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, End: true } } },
      { ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'results', Prefix: 'runs' } } },
    );
    const r = await execute(definition, { s3, input: { items: [1, 2, 3, 4, 5].map(n => ({ n })) }, limits: { childHistories: 2 } });
    expect(r.status).toBe('SUCCEEDED');
    const children = r.mapRuns[0].executions;
    expect(children.map(c => [c.status, c.historyDropped ?? false, c.events.length > 0])).toEqual([
      ['SUCCEEDED', false, true], ['SUCCEEDED', false, true], ['SUCCEEDED', true, false], ['SUCCEEDED', true, false], ['SUCCEEDED', true, false],
    ]);
    expect(children.map(c => c.output)).toEqual([1, 2, 3, 4, 5].map(n => ({ n })));
    expect(r.mapRuns[0].itemCounts).toMatchObject({ total: 5, succeeded: 5 });
    const manifest = JSON.parse(s3.getText('results', (r.output as any).ResultWriterDetails.Key)!);
    const written = manifest.ResultFiles.SUCCEEDED.flatMap((f: { Key: string }) => JSON.parse(s3.getText('results', f.Key)!));
    expect(written.map((w: { Output: string }) => JSON.parse(w.Output).n).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(r.billing.expressRequests).toBe(5);
  });

  const twoSteps = (items: number[], extra: object = {}) => ({
    // A Parallel makes the child wait on threads of its own, as a real child does.
    ...overItems({
      StartAt: 'A',
      States: {
        A: invoke({ ResultPath: null, Next: 'Then' }),
        Then: {
          Type: 'Parallel',
          OutputPath: '$[0]',
          End: true,
          Branches: [{ StartAt: 'B', States: { B: invoke({ OutputPath: '$.Payload', End: true }) } }],
        },
      },
    }, extra),
    items,
  });

  test('children that take no virtual time run one at a time, yet all start at the same instant and count as concurrent', async () => {
    const { items, ...definition } = twoSteps([1, 2, 3, 4]);
    const calls: string[] = [];
    const r = await execute(definition, {
      startTime: START,
      input: { items },
      tasks: { [FN]: req => { calls.push(`${req.state}${JSON.stringify(req.input)}`); return req.input; } },
    });
    expect(r.status).toBe('SUCCEEDED');
    // Each child ends before the next starts: a map run of thousands of such children holds one at a time.
    expect(calls).toEqual(['A1', 'B1', 'A2', 'B2', 'A3', 'B3', 'A4', 'B4']);
    const run = r.mapRuns[0];
    expect(run.executions.map(c => seconds(c.startDate))).toEqual([0, 0, 0, 0]);
    expect(run.maxConcurrentExecutions).toBe(4);
    expect(r.output).toEqual([1, 2, 3, 4]);
  });

  test('the children that start at the instant a child fails the run still run to their end, as AWS started them all at once', async () => {
    const { items, ...definition } = twoSteps([1, 2, 3, 4, 5]);
    const r = await execute(definition, {
      startTime: START,
      input: { items },
      tasks: { [FN]: req => { if (req.input === 2) throw new TaskError('Bad.Item', 'two'); return req.input; } },
    });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(r.mapRuns[0].executionCounts).toMatchObject({ total: 5, succeeded: 4, failed: 1, aborted: 0, pending: 0 });
  });

  test('with MaxConcurrency 2, the children beyond the first two slots stay pending once a child fails the run', async () => {
    const { items, ...definition } = twoSteps([1, 2, 3, 4, 5], { MaxConcurrency: 2 });
    const r = await execute(definition, {
      startTime: START,
      input: { items },
      tasks: { [FN]: req => { if (req.input === 2) throw new TaskError('Bad.Item', 'two'); return req.input; } },
    });
    expect(r.mapRuns[0].executionCounts).toMatchObject({ total: 5, succeeded: 2, failed: 1, aborted: 0, pending: 2 });
    expect(r.mapRuns[0].maxConcurrentExecutions).toBe(2);
  });
});
