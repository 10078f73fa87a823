import { execute, LiveExecution, TaskAnswer, TaskOutcome } from '../../src/engine';

const callback = (extra: object = {}) => ({
  StartAt: 'Ask',
  States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish.waitForTaskToken', Parameters: { 'token.$': '$$.Task.Token' }, End: true, ...extra } },
});

/** Runs a definition whose callback task is answered from outside; returns the answer and the run. */
function started(definition: object, options: { realTime?: boolean } = {}) {
  const answer = new TaskAnswer();
  let live: LiveExecution | undefined;
  let token: string | undefined;
  const run = execute(definition, {
    ...options,
    onStart: l => { live = l; },
    tasks: { Ask: req => { token = req.taskToken; return TaskOutcome.from(answer); } },
  });
  return { answer, run, live: () => live!, token: () => token };
}

const tick = () => new Promise(resolve => setImmediate(resolve));

describe('a task answered from outside the run', () => {
  test('waits for SendTaskSuccess, however long it takes in wall time, and the clock holds meanwhile', async () => {
    const { answer, run, token } = started(callback({ TimeoutSeconds: 60 }));
    for (let i = 0; i < 5; i++) await tick();
    expect(token()).toMatch(/^local-token-/);
    expect(answer.open).toBe(true);
    expect(answer.succeed({ ok: true })).toBe(true);
    const result = await run;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ ok: true });
    expect(result.events.map(e => e.type)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    // Virtual time: no timeout came while the answer was awaited, and no time passed.
    expect(result.stopDate.getTime() - result.startDate.getTime()).toBe(0);
    expect(answer.succeed({ again: true })).toBe(false);
  });

  test('fails with SendTaskFailure, its error and cause as sent; an absent error stays absent', async () => {
    const { answer, run } = started(callback());
    await tick();
    answer.fail(undefined, 'no reason');
    const result = await run;
    expect(result.status).toBe('FAILED');
    const failed = result.events.find(e => e.type === 'TaskFailed') as any;
    expect(failed.taskFailedEventDetails).toEqual({ resourceType: 'sns', resource: 'publish.waitForTaskToken', cause: 'no reason' });
  });

  test('in real time, times out when its TimeoutSeconds passes on the wall clock, and refuses a late answer', async () => {
    const { answer, run } = started(callback({ TimeoutSeconds: 1 }), { realTime: true });
    const began = Date.now();
    const result = await run;
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Timeout');
    expect(answer.succeed({})).toBe(false);
  });

  test('in real time, a heartbeat renews the heartbeat deadline, and a missed one ends the task as a heartbeat timeout', async () => {
    const definition = callback({
      HeartbeatSeconds: 1,
      Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Missed' }],
      End: undefined,
      Next: 'Done',
    });
    Object.assign((definition.States as any), { Done: { Type: 'Succeed' }, Missed: { Type: 'Pass', Result: 'missed', End: true } });
    const { answer, run } = started(definition, { realTime: true });
    const beats = setInterval(() => answer.heartbeat(), 300);
    setTimeout(() => clearInterval(beats), 1500);
    const began = Date.now();
    const result = await run;
    // Kept alive by its heartbeats for 1.5 s, then missed one second later.
    expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
    expect(result.output).toBe('missed');
  });

  test('a Wait takes its seconds on the wall clock in real time', async () => {
    const began = Date.now();
    const result = await execute({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } }, { realTime: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    expect(result.stopDate.getTime() - result.startDate.getTime()).toBeGreaterThanOrEqual(950);
  });

  test('StopExecution ends it ABORTED with its error and cause, and the token takes no answer after', async () => {
    const { answer, run, live } = started(callback());
    await tick();
    expect(live().events.map(e => e.type)).toContain('TaskSubmitted');
    expect(live().stop('Operator.Stopped', 'by hand')).toBe(true);
    const result = await run;
    expect(result.status).toBe('ABORTED');
    expect(result.error).toBe('Operator.Stopped');
    expect(result.cause).toBe('by hand');
    // As AWS records it (localstack test_stop_execution): no state's abort, and ExecutionAborted follows no event.
    expect(result.events.slice(-2).map(e => e.type)).toEqual(['TaskSubmitted', 'ExecutionAborted']);
    expect(result.events[result.events.length - 1].previousEventId).toBe(0);
    expect((result.events[result.events.length - 1] as any).executionAbortedEventDetails).toEqual({ error: 'Operator.Stopped', cause: 'by hand' });
    expect(answer.succeed({})).toBe(false);
    expect(live().stop()).toBe(false);
  });

  test('an activity worked from outside starts when a worker takes it, with the worker named', async () => {
    const answer = new TaskAnswer();
    const run = execute({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:print', End: true } } }, {
      activitiesFromOutside: true,
      tasks: { A: () => TaskOutcome.from(answer) },
    });
    await tick();
    answer.start('printer-1');
    answer.succeed({ printed: 1 });
    const result = await run;
    expect(result.events.map(e => e.type)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    expect((result.events[3] as any).activityStartedEventDetails).toEqual({ workerName: 'printer-1' });
  });

  test('an answer that comes before the task waits for it is kept', async () => {
    const answer = new TaskAnswer();
    answer.succeed('early');
    const result = await execute(callback(), { tasks: { Ask: () => TaskOutcome.from(answer) } });
    expect(result.output).toBe('early');
  });
});

test('onStart sees the execution started, not the child executions it starts', async () => {
  const seen: string[] = [];
  await execute({
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        End: true,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      },
    },
  }, { input: [1, 2], executionName: 'parent', onStart: live => seen.push(live.executionArn) });
  expect(seen).toEqual(['arn:aws:states:us-east-1:123456789012:execution:LocalStateMachine:parent']);
});

test('StopExecution while a handler runs (a function\'s code in flight): ABORTED once it returns, its answer not recorded', async () => {
  let live: LiveExecution | undefined;
  const run = execute({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, End: true } } }, {
    onStart: l => { live = l; },
    tasks: { Work: () => new Promise(resolve => setTimeout(() => resolve({ done: true }), 100)) },
  });
  await new Promise(resolve => setTimeout(resolve, 20));
  expect(live!.stop('Stopped', 'by the test')).toBe(true);
  const result = await run;
  expect(result.status).toBe('ABORTED');
  expect(result.events.map(e => e.type)).not.toContain('TaskSucceeded');
  expect(result.events.map(e => e.type)).not.toContain('ExecutionSucceeded');
  expect(result.events[result.events.length - 1].type).toBe('ExecutionAborted');
});

test('an execution that times out while a handler runs ends TIMED_OUT, not with the late answer', async () => {
  const result = await execute({
    TimeoutSeconds: 1,
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, End: true } },
  }, { realTime: true, tasks: { Work: () => new Promise(resolve => setTimeout(() => resolve({ done: true }), 1300)) } });
  expect(result.status).toBe('TIMED_OUT');
});
