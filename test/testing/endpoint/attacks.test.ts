/**
 * The endpoint as an attacker, or an unlucky network, meets it: real time, callers that leave in the
 * middle of a long poll, answers sent twice at once, requests cut short, the endpoint stopped with
 * work in flight. Nothing may be lost, nothing may crash the endpoint, nothing may be left running.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import {
  CreateActivityCommand, CreateStateMachineCommand, DescribeExecutionCommand, GetActivityTaskCommand, GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  ListStateMachinesCommand, SFNClient, StartExecutionCommand, StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as stepfunctions from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { startLocalStepFunctions } from '../../../src/testing';
import { tempDir } from '../../cli/example-assembly';

const ROLE = 'arn:aws:iam::123456789012:role/Local';

async function settled(client: SFNClient, executionArn: string) {
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describe('in real time', () => {
  test('a Wait of one second takes a second, and a callback times out when its TimeoutSeconds passes', async () => {
    const sfn = await startLocalStepFunctions({ port: 0 });
    const client = new SFNClient(sfn.clientConfig);
    try {
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'Slow',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'W',
          States: {
            W: { Type: 'Wait', Seconds: 1, Next: 'Ask' },
            Ask: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', TimeoutSeconds: 1, Parameters: { QueueUrl: 'q', MessageBody: 'm' }, End: true },
          },
        }),
      }));
      const began = Date.now();
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
      const described = await settled(client, executionArn!);
      expect(Date.now() - began).toBeGreaterThanOrEqual(1900);
      expect(described).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
      const at = (type: string) => events!.find(e => e.type === type)!.timestamp!.getTime();
      expect(at('WaitStateExited') - at('WaitStateEntered')).toBeGreaterThanOrEqual(950);
      expect(at('TaskTimedOut') - at('TaskScheduled')).toBeGreaterThanOrEqual(950);
    } finally {
      client.destroy();
      await sfn.stop();
    }
  }, 15_000);
});

describe('under attack', () => {
  test('a worker that leaves in the middle of its poll does not take the task with it: the next poll gets it', async () => {
    const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual', activityPollSeconds: 5 });
    const client = new SFNClient(sfn.clientConfig);
    try {
      const { activityArn } = await client.send(new CreateActivityCommand({ name: 'printer' }));
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'Print', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: activityArn, End: true } } }),
      }));
      // A poll whose caller goes away before a task comes.
      const leaving = new AbortController();
      const gone = client.send(new GetActivityTaskCommand({ activityArn }), { abortSignal: leaving.signal }).catch(e => e);
      await new Promise(resolve => setTimeout(resolve, 100));
      leaving.abort();
      expect((await gone).name).toBe('AbortError');
      await new Promise(resolve => setTimeout(resolve, 100));
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"n":1}' }));
      const task = await client.send(new GetActivityTaskCommand({ activityArn, workerName: 'second' }));
      expect(task.input).toBe('{"n":1}');
      await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"done"' }));
      expect(await settled(client, executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
    } finally {
      client.destroy();
      await sfn.stop();
    }
  });

  test('two answers to one token at once: one wins, the other is refused, the execution ends once', async () => {
    const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual' });
    const client = new SFNClient(sfn.clientConfig);
    try {
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'Race',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Ask', States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish.waitForTaskToken', Parameters: { 'token.$': '$$.Task.Token' }, End: true } },
        }),
      }));
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
      let token: string | undefined;
      while (!token) {
        const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
        const scheduled = events!.find(e => e.type === 'TaskScheduled');
        token = scheduled ? JSON.parse(scheduled.taskScheduledEventDetails!.parameters!).token : undefined;
      }
      const answers = await Promise.allSettled(['"a"', '"b"'].map(output => client.send(new SendTaskSuccessCommand({ taskToken: token, output }))));
      expect(answers.map(a => a.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((answers.find(a => a.status === 'rejected') as PromiseRejectedResult).reason.name).toBe('TaskTimedOut');
      const described = await settled(client, executionArn!);
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events!.filter(e => e.type === 'TaskSucceeded')).toHaveLength(1);
      expect(['"a"', '"b"']).toContain(described.output);
    } finally {
      client.destroy();
      await sfn.stop();
    }
  });

  test('a request cut short, a flood of garbage: the endpoint answers the next request', async () => {
    const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual' });
    const client = new SFNClient(sfn.clientConfig);
    try {
      await new Promise<void>(resolve => {
        const socket = net.connect(sfn.port, '127.0.0.1', () => {
          socket.write('POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 500\r\n\r\n{"maxRes');
          socket.destroy();
          resolve();
        });
      });
      await Promise.all(Array.from({ length: 50 }, (_, i) => fetch(sfn.endpoint, {
        method: 'POST', headers: { 'x-amz-target': `AWSStepFunctions.${['StartExecution', 'Nope', 'SendTaskSuccess'][i % 3]}` }, body: '\u0000'.repeat(i),
      }).then(r => r.status)));
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'Still', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      }));
      expect(stateMachineArn).toContain(':stateMachine:Still');
    } finally {
      client.destroy();
      await sfn.stop();
    }
  });

  test('stopped with executions waiting and a worker polling: it stops them, answers the poll, and leaves nothing running', async () => {
    const sfn = await startLocalStepFunctions({ port: 0 });
    const client = new SFNClient(sfn.clientConfig);
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'never' }));
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'Long', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } }),
    }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
    const poll = client.send(new GetActivityTaskCommand({ activityArn })).catch(e => e);
    await new Promise(resolve => setTimeout(resolve, 50));
    const began = Date.now();
    await sfn.stop();
    expect(Date.now() - began).toBeLessThan(2000);
    expect(sfn.service.execution(executionArn!)).toMatchObject({ status: 'ABORTED', error: 'Local.EndpointStopped' });
    expect(await poll).toBeDefined();
    client.destroy();
  });

  test('StopExecution of an execution in a Wait: ABORTED at once, with no state aborted (as AWS records it)', async () => {
    const sfn = await startLocalStepFunctions({ port: 0 });
    const client = new SFNClient(sfn.clientConfig);
    try {
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'Waits', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } }),
      }));
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
      const { stopDate } = await client.send(new StopExecutionCommand({ executionArn }));
      expect(stopDate).toBeInstanceOf(Date);
      expect(await settled(client, executionArn!)).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
      expect(events!.map(e => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
      expect(events![2].executionAbortedEventDetails).toEqual({});
    } finally {
      client.destroy();
      await sfn.stop();
    }
  });
});

/** A Distributed Map over `in/items.json` of the local S3, its results written with these ResultWriter parameters. */
function mapOverS3(resultParameters: object): string {
  return JSON.stringify({
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        End: true,
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'in', Key: 'items.json' } },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: resultParameters },
      },
    },
  });
}

/** A folder standing for the local S3, with `in/items.json`. */
function s3Folder(prefix: string, items: unknown[]): string {
  const dir = tempDir(prefix);
  fs.mkdirSync(path.join(dir, 'in'));
  fs.writeFileSync(path.join(dir, 'in', 'items.json'), JSON.stringify(items));
  return dir;
}

describe('a local S3 folder', () => {
  test('a result key that climbs out of its bucket (a ResultWriter Prefix from the input) is not written outside the folder', async () => {
    const dir = s3Folder('endpoint-s3-escape', [1, 2]);
    const escaped = path.join(path.dirname(dir), `escaped-${path.basename(dir)}`);
    const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual', s3: dir });
    const client = new SFNClient(sfn.clientConfig);
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'Escape', roleArn: ROLE, definition: mapOverS3({ 'Bucket': 'in', 'Prefix.$': '$.p' }),
      }));
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ p: `../../${path.basename(escaped)}` }) }));
      expect((await settled(client, executionArn!)).status).toBe('SUCCEEDED');
      await new Promise(resolve => setImmediate(resolve));
      expect(fs.existsSync(escaped)).toBe(false);
      expect(String(warn.mock.calls[0]?.[0])).toContain('would land outside its bucket\'s folder');
    } finally {
      warn.mockRestore();
      client.destroy();
      await sfn.stop();
      fs.rmSync(escaped, { recursive: true, force: true });
    }
  });

  test('a Distributed Map reads its items from it, and what it writes is there when the execution has ended', async () => {
    const dir = s3Folder('endpoint-s3', [{ id: 1 }, { id: 2 }]);
    const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual', s3: dir });
    const client = new SFNClient(sfn.clientConfig);
    try {
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'FromS3', roleArn: ROLE, definition: mapOverS3({ Bucket: 'in', Prefix: 'results' }),
      }));
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
      expect((await settled(client, executionArn!)).status).toBe('SUCCEEDED');
      const written = fs.readdirSync(path.join(dir, 'in', 'results'), { recursive: true }).map(String);
      expect(written.some(f => f.endsWith('manifest.json'))).toBe(true);
    } finally {
      client.destroy();
      await sfn.stop();
    }
  });
});

describe('what ends with its execution', () => {
  test('a callback whose call fails: the task fails, and its token takes no answer after', async () => {
    const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual', mocks: { states: { Ask: { error: 'Queue.Gone', cause: 'no such queue' } } } });
    const client = new SFNClient(sfn.clientConfig);
    try {
      const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
        name: 'FailsToAsk',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Ask', States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { 'MessageBody.$': '$$.Task.Token' }, End: true } },
        }),
      }));
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
      expect(await settled(client, executionArn!)).toMatchObject({ status: 'FAILED', error: 'Queue.Gone' });
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
      const token = JSON.parse(events!.find(e => e.type === 'TaskScheduled')!.taskScheduledEventDetails!.parameters!).MessageBody;
      await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
    } finally {
      client.destroy();
      await sfn.stop();
    }
  });

  test('an Express execution started with StartExecution is kept nowhere, yet stopped with the endpoint', async () => {
    const sfn = await startLocalStepFunctions({ port: 0 });
    const client = new SFNClient(sfn.clientConfig);
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'ExpressWait', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 240, End: true } } }),
    }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn }));
    expect(executionArn).toContain(':express:ExpressWait:');
    expect(sfn.service.executions.size).toBe(0);
    const began = Date.now();
    await sfn.stop();
    expect(Date.now() - began).toBeLessThan(2000);
    client.destroy();
  });
});

test('pollers that give up just as tasks come, in real time: every task reaches a worker or ends at its heartbeat; none hangs, none goes to two workers', async () => {
  const sfn = await startLocalStepFunctions({ port: 0, activityPollSeconds: 2 });
  const client = new SFNClient(sfn.clientConfig);
  try {
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'racy' }));
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'Racy', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 2, End: true } } }),
    }));
    const body = JSON.stringify({ activityArn });
    // A raw poll that the client abandons after \`ms\` (its socket destroyed), as \`curl -m\` does.
    const poll = (ms: number) => new Promise<string | undefined>(resolve => {
      const req = http.request(sfn.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.GetActivityTask' } }, res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text || '{}').taskToken));
        res.on('error', () => resolve(undefined));
      });
      req.on('error', () => resolve(undefined));
      req.setTimeout(ms, () => req.destroy());
      req.end(body);
    });
    const first = Array.from({ length: 60 }, (_, i) => poll(150 + (i % 10) * 10));
    await new Promise(resolve => setTimeout(resolve, 180));
    const started = await Promise.all(Array.from({ length: 40 }, () => client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }))));
    const tokens = (await Promise.all(first)).filter((t): t is string => t !== undefined);
    tokens.push(...(await Promise.all(Array.from({ length: 40 }, () => poll(1500)))).filter((t): t is string => t !== undefined));
    expect(new Set(tokens).size).toBe(tokens.length);
    await Promise.all(tokens.map(taskToken => client.send(new SendTaskSuccessCommand({ taskToken, output: '"ok"' }))));
    const ends = await Promise.all(started.map(s => settled(client, s.executionArn!)));
    const succeeded = ends.filter(d => d.status === 'SUCCEEDED').length;
    // A worker that gives up the instant its answer leaves loses that task, on AWS too: it ends at its heartbeat.
    expect(succeeded).toBe(tokens.length);
    expect(ends.filter(d => d.status !== 'SUCCEEDED').every(d => d.error === 'States.Timeout')).toBe(true);
  } finally {
    client.destroy();
    await sfn.stop();
  }
}, 30_000);

test('a task whose answer could not be written to its poll goes back to the front of the queue, and starts only when delivered', async () => {
  const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual' });
  const client = new SFNClient(sfn.clientConfig);
  try {
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'lost' }));
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'Lost', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: activityArn, End: true } } }),
    }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"n":7}' }));
    const queue = sfn.service.activities;
    const task = await queue.poll(activityArn!, 'gone-worker', new Promise(() => undefined));
    queue.delivered(activityArn!, task!, 'gone-worker', false);
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map(e => e.type)).not.toContain('ActivityStarted');
    const again = await client.send(new GetActivityTaskCommand({ activityArn, workerName: 'second' }));
    expect(again).toMatchObject({ taskToken: task!.token, input: '{"n":7}' });
    await client.send(new SendTaskSuccessCommand({ taskToken: again.taskToken, output: '1' }));
    await settled(client, executionArn!);
    const after = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(after.events!.filter(e => e.type === 'ActivityStarted').map(e => e.activityStartedEventDetails)).toEqual([{ workerName: 'second' }]);
  } finally {
    client.destroy();
    await sfn.stop();
  }
});

describe('stopping while a function\'s code runs', () => {
  let assembly: string;
  beforeAll(() => {
    const app = new App({ outdir: tempDir('slow-app'), context: { 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Slow');
    const slow = new lambda.Function(stack, 'Slow', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      timeout: Duration.seconds(60),
      code: lambda.Code.fromInline('exports.handler = async () => { await new Promise(r => setTimeout(r, 20000)); return { late: true }; };'),
    });
    new stepfunctions.StateMachine(stack, 'Machine', {
      definitionBody: stepfunctions.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Work', { lambdaFunction: slow, payloadResponseOnly: true })),
    });
    assembly = app.synth().directory;
  });

  test.each(['real', 'virtual'] as const)('StopExecution in %s time: ABORTED, not the late answer; stop() does not wait for the code', async time => {
    const sfn2 = await startLocalStepFunctions({ app: assembly, port: 0, time });
    const client = new SFNClient(sfn2.clientConfig);
    const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: stateMachines![0].stateMachineArn }));
    const other = await client.send(new StartExecutionCommand({ stateMachineArn: stateMachines![0].stateMachineArn }));
    await new Promise(resolve => setTimeout(resolve, 300));
    await client.send(new StopExecutionCommand({ executionArn, error: 'Stop', cause: 'now' }));
    if (time === 'real') expect(await settled(client, executionArn!)).toMatchObject({ status: 'ABORTED', error: 'Stop' });
    const began = Date.now();
    await sfn2.stop();
    expect(Date.now() - began).toBeLessThan(5000);
    expect(sfn2.service.execution(executionArn!).status).toBe('ABORTED');
    expect(sfn2.service.execution(other.executionArn!)).toMatchObject({ status: 'ABORTED', error: 'Local.EndpointStopped' });
    expect(sfn2.service.execution(executionArn!).events.map(e => e.type)).not.toContain('ExecutionSucceeded');
    client.destroy();
  }, 30_000);
});
