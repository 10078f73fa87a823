/**
 * The local Step Functions endpoint: how long it takes to start, and how many StartSyncExecution
 * round trips of a small Express workflow it answers per second through the JavaScript SDK, against
 * the same workflow run in-process with the testing toolkit.
 *
 *   npm run bench -- --section 11     # this section alone, replaced in bench/RESULTS.md
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { CreateStateMachineCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { Summary, ratio, showSummary, summarize, table } from './stats';
import { ROOT } from './synth';
import { startLocalStepFunctions } from '../src/testing/endpoint/server';
import { runLocally } from '../src/testing/local-execution';
import { synthExampleApp } from '../test/cli/example-assembly';

/** A small Express workflow: a Choice, two Pass states, an intrinsic. */
export const SMALL = {
  StartAt: 'Price',
  States: {
    'Price': { Type: 'Pass', Parameters: { 'quantity.$': '$.quantity', 'total.$': 'States.MathAdd($.quantity, 10)' }, Next: 'Bulk?' },
    'Bulk?': { Type: 'Choice', Choices: [{ Variable: '$.quantity', NumericGreaterThan: 100, Next: 'Bulk' }], Default: 'Retail' },
    'Bulk': { Type: 'Pass', Result: 'bulk', ResultPath: '$.tier', End: true },
    'Retail': { Type: 'Pass', Result: 'retail', ResultPath: '$.tier', End: true },
  },
};

/** Milliseconds until a fresh `cdk-workflow-patterns serve` process says where it listens. */
function coldStart(cli: string, app: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'serve', '--app', app, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', chunk => {
      out += String(chunk);
      if (out.includes('try: aws stepfunctions')) {
        const ms = Number(process.hrtime.bigint() - began) / 1e6;
        child.kill('SIGTERM');
        child.once('exit', () => resolve(ms));
      }
    });
    child.once('error', reject);
    child.once('exit', code => {
      if (!out.includes('try: aws stepfunctions')) reject(new Error(`serve exited (${code}) before it listened: ${out}`));
    });
  });
}

/** Executions per second over `seconds` of wall time, `inFlight` at a time. */
async function rate(run: () => Promise<unknown>, seconds: number, inFlight: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const began = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (Date.now() < until) {
      await run();
      done++;
    }
  }));
  return done / (Number(process.hrtime.bigint() - began) / 1e9);
}

export interface EndpointFigures {
  readonly startEmpty: Summary;
  readonly startWithApp: Summary;
  readonly cold?: Summary;
  readonly rows: Array<{ readonly how: string; readonly endpoint: Summary; readonly rawHttp: Summary; readonly inProcess: Summary }>;
}

export async function measureEndpoint(smoke: boolean): Promise<EndpointFigures> {
  const reps = smoke ? 1 : 7;
  const app = synthExampleApp();
  const startEmpty: number[] = [];
  const startWithApp: number[] = [];
  for (let i = 0; i < reps + 1; i++) {
    for (const [list, options] of [[startEmpty, {}], [startWithApp, { app }]] as const) {
      const began = process.hrtime.bigint();
      const sfn = await startLocalStepFunctions({ port: 0, ...options });
      const ms = Number(process.hrtime.bigint() - began) / 1e6;
      await sfn.stop();
      // The first start loads modules: left out, as a test suite pays it once.
      if (i > 0) list.push(ms);
    }
  }
  const cli = path.join(ROOT, 'lib', 'cli', 'cdk-workflow-patterns.js');
  let cold: Summary | undefined;
  if (fs.existsSync(cli)) {
    const times: number[] = [];
    for (let i = 0; i < (smoke ? 1 : 5); i++) times.push(await coldStart(cli, app));
    cold = summarize(times);
  }

  const sfn = await startLocalStepFunctions({ port: 0, time: 'virtual' });
  const client = new SFNClient(sfn.clientConfig);
  const rows: EndpointFigures['rows'] = [];
  try {
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
      name: 'Small', type: 'EXPRESS', definition: JSON.stringify(SMALL), roleArn: 'arn:aws:iam::123456789012:role/Bench',
    }));
    const input = JSON.stringify({ quantity: 7 });
    const throughEndpoint = () => client.send(new StartSyncExecutionCommand({ stateMachineArn, input }));
    // The same request without the SDK: node:http with keep-alive, the body written by hand.
    const agent = new http.Agent({ keepAlive: true });
    const body = JSON.stringify({ stateMachineArn, input });
    const rawHttp = () => new Promise<void>((resolve, reject) => {
      const req = http.request(sfn.endpoint, { method: 'POST', agent, headers: { 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' } }, res => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`bench: StartSyncExecution answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
    const inProcess = () => runLocally(SMALL, { input: { quantity: 7 }, type: 'EXPRESS' });
    const answer = await throughEndpoint();
    const local = await inProcess();
    if (answer.status !== 'SUCCEEDED' || JSON.stringify(JSON.parse(answer.output!)) !== JSON.stringify(local.output)) {
      throw new Error(`bench: the endpoint and the in-process run differ: ${answer.output} against ${JSON.stringify(local.output)}`);
    }
    const [rounds, seconds] = smoke ? [1, 0.2] : [5, 2];
    for (const inFlight of [1, 10]) {
      const endpoint: number[] = [];
      const raw: number[] = [];
      const direct: number[] = [];
      for (const warm of [throughEndpoint, rawHttp, inProcess]) await rate(warm, seconds / 4, inFlight);
      for (let r = 0; r < rounds; r++) {
        endpoint.push(await rate(throughEndpoint, seconds, inFlight));
        raw.push(await rate(rawHttp, seconds, inFlight));
        direct.push(await rate(inProcess, seconds, inFlight));
      }
      rows.push({
        how: inFlight === 1 ? 'one request at a time' : `${inFlight} requests in flight`, endpoint: summarize(endpoint), rawHttp: summarize(raw), inProcess: summarize(direct),
      });
    }
    agent.destroy();
  } finally {
    client.destroy();
    await sfn.stop();
    fs.rmSync(app, { recursive: true, force: true });
  }
  return { startEmpty: summarize(startEmpty), startWithApp: summarize(startWithApp), cold, rows };
}

export async function endpointSection(smoke: boolean): Promise<string[]> {
  const f = await measureEndpoint(smoke);
  return [
    '## 11. The local Step Functions endpoint',
    'bench/endpoint.ts: `startLocalStepFunctions` until it listens, in a process that has loaded the library (what a test suite\'s `beforeAll` '
    + 'pays), with no app and with the example app\'s cloud assembly (3 stacks, 3 state machines); and a fresh `cdk-workflow-patterns serve` '
    + 'process (the bundled command, `lib/cli`) until it prints where it listens. Median (min–max), milliseconds.',
    table(['start', 'milliseconds'], [
      ['startLocalStepFunctions, no app', showSummary(f.startEmpty, 1)],
      ['startLocalStepFunctions, the example app', showSummary(f.startWithApp, 1)],
      ['a fresh `serve` process, the example app', f.cold ? showSummary(f.cold) : 'not measured: run `npx projen bundle` first'],
    ]),
    'StartSyncExecution of a small Express workflow (a Pass with an intrinsic, a Choice, a Pass: 3 transitions) through the endpoint with '
    + '`@aws-sdk/client-sfn` over HTTP on 127.0.0.1, against the same definition run in-process with the testing toolkit\'s `runLocally`; both '
    + 'give the same output (checked before measuring). The same request sent with node:http (keep-alive) and no SDK shows what the SDK '
    + 'itself costs. Executions per second, median (min–max) of the rounds.',
    table(['requests', 'through the endpoint, with the SDK', 'through the endpoint, node:http', 'in-process', 'endpoint with the SDK / in-process'],
      f.rows.map(r => [
        r.how, showSummary(r.endpoint), showSummary(r.rawHttp), showSummary(r.inProcess), ratio(r.endpoint.median, r.inProcess.median),
      ])),
  ];
}
