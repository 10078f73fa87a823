/**
 * The activity worker runtime (`cdk-workflow-patterns/worker`) against a stand-in of the Step
 * Functions API that fails, hangs and loses answers on request: every task it takes is answered
 * once, with the handler's outcome, or failed with ActivityWorker.ShuttingDown when it stops.
 */
import { GetActivityTaskCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ActivityApi, ActivityWorker } from '../../src/worker';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:labels';

/** Hands out the given tasks in turn, then holds every poll until it is aborted (as a 60-second long poll). */
function stepFunctions(tasks: Array<{ token: string; input: unknown } | Error | 'empty'>) {
  const calls: Array<{ call: string; params: any }> = [];
  const failures: Record<string, Error[]> = {};
  const api: ActivityApi = {
    getActivityTask: (params, signal) => {
      calls.push({ call: 'getActivityTask', params });
      const next = tasks.shift();
      if (next instanceof Error) return Promise.reject(next);
      if (next === 'empty') return Promise.resolve({ taskToken: '' });
      if (next) return Promise.resolve({ taskToken: next.token, input: JSON.stringify(next.input) });
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
    },
    sendTaskSuccess: async params => { calls.push({ call: 'sendTaskSuccess', params }); const e = failures.sendTaskSuccess?.shift(); if (e) throw e; },
    sendTaskFailure: async params => { calls.push({ call: 'sendTaskFailure', params }); const e = failures.sendTaskFailure?.shift(); if (e) throw e; },
    sendTaskHeartbeat: async params => { calls.push({ call: 'sendTaskHeartbeat', params }); const e = failures.sendTaskHeartbeat?.shift(); if (e) throw e; },
  };
  return { api, calls, failures, sent: (call: string) => calls.filter(c => c.call === call).map(c => c.params) };
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });
// A poll still open when the worker stops is waited for up to the grace: short here.
const quiet = { handleSignals: false, log: () => undefined, shutdownGraceSeconds: 0.1 };
const until = async (test: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 5));
  }
};

describe('ActivityWorker', () => {
  test('answers each task with the handler\'s output, polling with its worker name', async () => {
    const sfn = stepFunctions([{ token: 't1', input: { orderId: 'o-1' } }, 'empty', { token: 't2', input: { orderId: 'o-2' } }]);
    const worker = new ActivityWorker({ ...quiet, activityArn: ARN, workerName: 'printer-1', api: sfn.api, handler: async input => ({ label: `L-${input.orderId}` }) });
    const done = worker.start();
    await until(() => sfn.sent('sendTaskSuccess').length === 2);
    await worker.stop();
    await done;
    expect(sfn.sent('sendTaskSuccess')).toEqual([{ taskToken: 't1', output: '{"label":"L-o-1"}' }, { taskToken: 't2', output: '{"label":"L-o-2"}' }]);
    expect(sfn.sent('getActivityTask')[0]).toEqual({ activityArn: ARN, workerName: 'printer-1' });
  });

  test('a thrown error fails the task with the error\'s name and message', async () => {
    const sfn = stepFunctions([{ token: 't1', input: {} }]);
    const worker = new ActivityWorker({ ...quiet, activityArn: ARN, api: sfn.api, handler: () => { throw named('Printer.OutOfPaper', 'tray 2 is empty'); } });
    void worker.start();
    await until(() => sfn.sent('sendTaskFailure').length === 1);
    await worker.stop();
    expect(sfn.sent('sendTaskFailure')).toEqual([{ taskToken: 't1', error: 'Printer.OutOfPaper', cause: 'tray 2 is empty' }]);
  });

  test('heartbeats while the handler runs; a heartbeat answered TaskTimedOut aborts the handler and nothing is sent', async () => {
    const sfn = stepFunctions([{ token: 't1', input: {} }]);
    let aborted = false;
    const worker = new ActivityWorker({
      ...quiet,
      activityArn: ARN,
      api: sfn.api,
      heartbeatSeconds: 0.02,
      handler: (_input, context) => new Promise(resolve => {
        context.signal.addEventListener('abort', () => { aborted = true; resolve('late'); });
      }),
    });
    void worker.start();
    await until(() => sfn.sent('sendTaskHeartbeat').length >= 2);
    sfn.failures.sendTaskHeartbeat = [named('TaskTimedOut')];
    await until(() => aborted);
    await worker.stop();
    expect(sfn.sent('sendTaskHeartbeat')[0]).toEqual({ taskToken: 't1' });
    expect(sfn.sent('sendTaskSuccess')).toEqual([]);
    expect(sfn.sent('sendTaskFailure')).toEqual([]);
  });

  test('a throttled or failed poll is tried again after a backoff', async () => {
    const sfn = stepFunctions([named('ThrottlingException', 'Rate exceeded'), { token: 't1', input: {} }]);
    const worker = new ActivityWorker({ ...quiet, activityArn: ARN, api: sfn.api, handler: () => 'ok' });
    void worker.start();
    await until(() => sfn.sent('sendTaskSuccess').length === 1);
    await worker.stop();
    expect(sfn.sent('getActivityTask').length).toBeGreaterThanOrEqual(2);
  });

  test('an answer that is lost (the call fails) is sent again; one for a task already closed is not', async () => {
    const sfn = stepFunctions([{ token: 't1', input: {} }, { token: 't2', input: {} }]);
    sfn.failures.sendTaskSuccess = [named('InternalServerError'), named('TaskTimedOut')];
    const worker = new ActivityWorker({ ...quiet, activityArn: ARN, api: sfn.api, handler: () => 'ok' });
    void worker.start();
    await until(() => sfn.sent('sendTaskSuccess').length >= 3);
    await worker.stop();
    // t1: lost once, sent again; t2: closed, not sent again.
    expect(sfn.sent('sendTaskSuccess').map(p => p.taskToken)).toEqual(['t1', 't1', 't2']);
  });

  test('stop: a task in hand that ends within the grace is answered with its output', async () => {
    const sfn = stepFunctions([{ token: 't1', input: {} }]);
    let release!: () => void;
    const worker = new ActivityWorker({ ...quiet, activityArn: ARN, api: sfn.api, shutdownGraceSeconds: 5, handler: () => new Promise(r => { release = () => r('printed'); }) });
    const done = worker.start();
    await until(() => release !== undefined);
    const stopped = worker.stop();
    release();
    await stopped;
    await done;
    expect(sfn.sent('sendTaskSuccess')).toEqual([{ taskToken: 't1', output: '"printed"' }]);
  });

  test('stop: a task still running past the grace is failed with ActivityWorker.ShuttingDown, never dropped', async () => {
    const sfn = stepFunctions([{ token: 't1', input: {} }]);
    let started = false;
    const worker = new ActivityWorker({
      ...quiet, activityArn: ARN, api: sfn.api, shutdownGraceSeconds: 0.05, handler: () => { started = true; return new Promise(() => undefined); },
    });
    void worker.start();
    await until(() => started);
    await worker.stop();
    expect(sfn.sent('sendTaskFailure')).toEqual([{ taskToken: 't1', error: 'ActivityWorker.ShuttingDown', cause: expect.stringMatching(/stopped before the task ended/) }]);
    expect(sfn.sent('sendTaskSuccess')).toEqual([]);
  });

  test('stop: a task a poll hands out while the worker stops is failed at once, not run', async () => {
    let handOut!: (task: { taskToken: string; input: string }) => void;
    const sfn = stepFunctions([]);
    sfn.api.getActivityTask = () => new Promise(resolve => { handOut = resolve; });
    let ran = false;
    const worker = new ActivityWorker({ ...quiet, activityArn: ARN, api: sfn.api, handler: () => { ran = true; } });
    void worker.start();
    await until(() => handOut !== undefined);
    const stopped = worker.stop();
    handOut({ taskToken: 't9', input: '{}' });
    await stopped;
    expect(ran).toBe(false);
    expect(sfn.sent('sendTaskFailure')).toEqual([{ taskToken: 't9', error: 'ActivityWorker.ShuttingDown', cause: expect.stringMatching(/was stopping when it received the task/) }]);
  });

  test('SIGTERM stops it: the task in hand is failed with ActivityWorker.ShuttingDown after the grace', async () => {
    const sfn = stepFunctions([{ token: 't1', input: {} }]);
    let started = false;
    const worker = new ActivityWorker({
      ...quiet, handleSignals: true, activityArn: ARN, api: sfn.api, handler: () => { started = true; return new Promise(() => undefined); },
    });
    // An answer that takes its time: the worker has stopped only once it is sent.
    const slowFailure = sfn.api.sendTaskFailure;
    sfn.api.sendTaskFailure = async params => { await new Promise(r => setTimeout(r, 300)); return slowFailure(params); };
    const done = worker.start();
    await until(() => started);
    process.emit('SIGTERM');
    await done;
    expect(sfn.sent('sendTaskFailure')).toEqual([expect.objectContaining({ taskToken: 't1', error: 'ActivityWorker.ShuttingDown' })]);
    expect(process.listeners('SIGTERM')).not.toContain((worker as any).onSignal);
  });

  test('runs up to `concurrency` tasks at once', async () => {
    const sfn = stepFunctions([{ token: 'a', input: {} }, { token: 'b', input: {} }, { token: 'c', input: {} }]);
    let running = 0;
    let most = 0;
    const worker = new ActivityWorker({
      ...quiet,
      activityArn: ARN,
      api: sfn.api,
      concurrency: 2,
      handler: async () => { running++; most = Math.max(most, running); await new Promise(r => setTimeout(r, 30)); running--; return 'ok'; },
    });
    void worker.start();
    await until(() => sfn.sent('sendTaskSuccess').length === 3);
    await worker.stop();
    expect(most).toBe(2);
  });

  test('by default, it calls Step Functions through the AWS SDK (GetActivityTask, SendTaskSuccess)', async () => {
    const mock = mockClient(SFNClient);
    mock.on(GetActivityTaskCommand).resolvesOnce({ taskToken: 'sdk-1', input: '{"n":1}' }).resolves({ taskToken: '' });
    mock.on(SendTaskSuccessCommand).resolves({});
    try {
      const worker = new ActivityWorker({ ...quiet, activityArn: ARN, workerName: 'w', handler: input => ({ twice: input.n * 2 }) });
      void worker.start();
      await until(() => mock.commandCalls(SendTaskSuccessCommand).length === 1);
      await worker.stop();
      expect(mock.commandCalls(GetActivityTaskCommand)[0].args[0].input).toEqual({ activityArn: ARN, workerName: 'w' });
      expect(mock.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({ taskToken: 'sdk-1', output: '{"twice":2}' });
    } finally {
      mock.restore();
    }
  });

  test.each([
    ['fails when the activity ARN is not one', { activityArn: 'labels' }, /ActivityWorker: activityArn must be an activity's ARN/],
    ['fails when the handler is not a function', { handler: 'print' }, /ActivityWorker: handler must be a function/],
    ['fails when concurrency is over the 1,000 pollers Step Functions allows', { concurrency: 5000 }, /concurrency must be a whole number from 1 to 1000/],
    ['fails when heartbeatSeconds is not a number of seconds it can wait', { heartbeatSeconds: Infinity }, /heartbeatSeconds must be a number of seconds from more than 0 to 3600/],
    ['fails when shutdownGraceSeconds is not one', { shutdownGraceSeconds: Infinity }, /shutdownGraceSeconds must be a number of seconds from 0 to 3600/],
    ['fails when workerName is not a string', { workerName: 42 }, /workerName must be a non-empty string/],
    ['fails when api is not the four calls (an SFNClient is not one)', { api: {} }, /api must have the functions getActivityTask, sendTaskSuccess, sendTaskFailure, sendTaskHeartbeat \(got object without /],
  ])('%s', (_name, options, message) => {
    expect(() => new ActivityWorker({ activityArn: ARN, handler: () => 1, api: stepFunctions([]).api, ...options } as any)).toThrow(message);
  });
});
