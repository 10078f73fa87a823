import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import { ListStateMachinesCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { synthExampleApp, tempDir } from './example-assembly';
import { main, serveCommand } from '../../cli/main';
import { startLocalStepFunctions } from '../../src/testing/endpoint/server';

let assembly: string;
beforeAll(() => {
  assembly = synthExampleApp();
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: l => out.push(l), err: l => err.push(l), cwd: tempDir('cwd') });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('serve: a local endpoint with the app\'s state machines, until stopped', async () => {
  const out: string[] = [];
  let stop!: () => void;
  const until = new Promise<void>(resolve => {
    stop = resolve;
  });
  const serving = serveCommand(['--app', assembly, '--port', '0', '--time', 'virtual'], { out: l => out.push(l), err: l => out.push(l), cwd: tempDir('cwd') }, until);
  while (!out.some(l => l.startsWith('try: '))) await new Promise(resolve => setTimeout(resolve, 20));
  const endpoint = /Step Functions endpoint: (http:\/\/127\.0\.0\.1:\d+) \(this machine only; in memory; virtual time\)/.exec(out[0])![1];
  expect(out[1]).toBe('3 state machines of ' + assembly + ':');
  expect(out.join('\n')).toContain('(QuoteWorkflowExample/QuoteWorkflow, EXPRESS)');
  expect(out[out.length - 1]).toBe(`try: aws stepfunctions --endpoint-url ${endpoint} list-state-machines`);
  const client = new SFNClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, disableHostPrefix: true });
  const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
  const quote = stateMachines!.find(m => m.name!.startsWith('QuoteWorkflow'))!;
  // A client in another region finds the same state machines (the endpoint holds one region's).
  const answer = await client.send(new StartSyncExecutionCommand({ stateMachineArn: quote.stateMachineArn!.replace('us-east-1', 'eu-west-1'), input: '{"quantity":3,"unitPrice":2}' }));
  expect(JSON.parse(answer.output!)).toMatchObject({ quantity: 3, total: 30 });
  client.destroy();
  stop();
  expect(await serving).toBe(0);
  expect(out[out.length - 1]).toBe('stopped');
});

test('serve without a cloud assembly holds what CreateStateMachine creates', async () => {
  const out: string[] = [];
  const serving = serveCommand(['--port', '0'], { out: l => out.push(l), err: l => out.push(l), cwd: tempDir('empty') }, Promise.resolve());
  expect(await serving).toBe(0);
  expect(out[0]).toContain('real time');
  expect(out[1]).toBe('no cloud assembly (cdk.out): state machines come from CreateStateMachine');
});

test('serve says when the shell it runs in holds AWS credentials, and how to start it without them', async () => {
  const saved = process.env.AWS_SECRET_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = 'developer-secret';
  const err: string[] = [];
  try {
    expect(await serveCommand(['--port', '0'], { out: () => undefined, err: l => err.push(l), cwd: tempDir('creds') }, Promise.resolve())).toBe(0);
  } finally {
    if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved;
  }
  expect(err.join('\n')).toContain('note: this shell has AWS credentials in its environment (AWS_SECRET_ACCESS_KEY');
  expect(err.join('\n')).toContain('-u AWS_SECRET_ACCESS_KEY');
  expect(err.join('\n')).not.toContain('developer-secret');
});

describe('serve fails clearly', () => {
  test.each([
    [['serve', '--port', 'abc'], "--port must be a port number, 0 to 65535 (got 'abc')"],
    [['serve', '--time', 'fast'], "--time must be real or virtual (got 'fast')"],
    [['serve', '--app', 'nowhere'], 'no cloud assembly at nowhere (no manifest.json there)'],
    [['serve', 'extra'], 'serve takes no argument (got extra)'],
  ])('%j', async (args, message) => {
    const { code, err } = await cli(args);
    expect(code).toBe(1);
    expect(err).toContain(message);
  });

  test('when the port is taken', async () => {
    const taken = http.createServer();
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve));
    const { code, err } = await cli(['serve', '--port', String((taken.address() as AddressInfo).port)]);
    taken.close();
    expect(code).toBe(1);
    expect(err).toMatch(/port \d+ is in use: give another with --port/);
  });
});

test('a mock configuration file that mocks a state an app\'s state machine does not have stops the endpoint from starting', async () => {
  const dir = tempDir('typo');
  const probe = await startLocalStepFunctions({ app: assembly, port: 0 });
  const names = [...probe.service.machines.values()].map(m => m.name);
  await probe.stop();
  const order = names.find(n => n.startsWith('OrderWorkflow'))!;
  const file = `${dir}/MockConfigFile.json`;
  fs.writeFileSync(file, JSON.stringify({ StateMachines: { [order]: { TestCases: { T: { 'Validate ordr': 'R' } } } }, MockedResponses: { R: { 0: { Return: {} } } } }));
  const { code, err } = await cli(['serve', '--app', assembly, '--port', '0', '--mocks', file]);
  expect(code).toBe(1);
  expect(err).toContain(`test case 'T' of '${order}' mocks 'Validate ordr', which is not a Task state of it (its Task states: Validate order,`);
});
