/**
 * Sealed local runs: a user's function code, run by the testing toolkit, never sees the developer's
 * environment or credentials, whatever it does at module scope, after it returns, or at the same time
 * as another function; and a function that crashes, exits or hangs stops only its own run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { FunctionSandboxError, CodeLoadError, runWorkflow } from '../../src/testing';
import { FunctionSandbox } from '../../src/testing/function-sandbox';

/** The developer's machine, as an attacker finds it: real-looking keys, a profile, a credentials file, container and web-identity settings. */
const DEVELOPER = {
  AWS_ACCESS_KEY_ID: 'AKIADEVELOPERKEY0001',
  AWS_SECRET_ACCESS_KEY: 'developer-secret-access-key',
  AWS_SESSION_TOKEN: 'developer-session-token',
  AWS_PROFILE: 'production',
  AWS_REGION: 'eu-west-3',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
  AWS_CONTAINER_AUTHORIZATION_TOKEN: 'developer-container-token',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/token',
  AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/Developer',
  DEVELOPER_DATABASE_PASSWORD: 'hunter2',
};

let home: string;
let record: string;
const saved: Record<string, string | undefined> = {};
let envBefore: Record<string, string | undefined>;

beforeAll(() => {
  envBefore = { ...process.env };
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'developer-home-'));
  fs.mkdirSync(path.join(home, '.aws'));
  fs.writeFileSync(path.join(home, '.aws', 'credentials'),
    '[default]\naws_access_key_id = AKIADEFAULTPROFILE01\naws_secret_access_key = default-secret\n\n'
    + '[production]\naws_access_key_id = AKIAPRODUCTIONPROF01\naws_secret_access_key = production-secret\n');
  fs.writeFileSync(path.join(home, '.aws', 'config'), '[profile production]\nregion = eu-west-3\n');
  for (const [k, v] of Object.entries({ ...DEVELOPER, HOME: home, AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'), AWS_CONFIG_FILE: path.join(home, '.aws', 'config') })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(home, { recursive: true, force: true });
  // The test process's environment is as it was before every run of this file.
  expect({ ...process.env }).toEqual(envBefore);
});

beforeEach(() => {
  record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sealed-record-')), 'record.json');
});

function fn(stack: Stack, id: string, code: string, options: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    ...options,
  });
}

const invoke = (stack: Stack, id: string, f: lambda.IFunction) => new tasks.LambdaInvoke(stack, id, { lambdaFunction: f, payloadResponseOnly: true });

/** A second function that waits (real time) for the record the first one writes after returning, and returns it. */
function readRecord(stack: Stack): lambda.Function {
  return fn(stack, 'ReadRecord', `
    const fs = require('fs');
    exports.handler = async () => {
      for (let i = 0; i < 200 && !fs.existsSync(process.env.RECORD); i++) await new Promise(r => setTimeout(r, 10));
      return fs.existsSync(process.env.RECORD) ? JSON.parse(fs.readFileSync(process.env.RECORD, 'utf8')) : { missing: true };
    };`, { environment: { RECORD: record }, timeout: Duration.seconds(5) });
}

function machineOf(stack: Stack, definition: sfn.IChainable): sfn.StateMachine {
  return new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(definition) });
}

const SEALED_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

describe('what a function sees', () => {
  test('module scope runs sealed: exactly its template\'s variables and the sealed AWS settings', async () => {
    const stack = new Stack(new App(), 'Scope');
    const peek = fn(stack, 'Peek', `
      const atLoad = { ...process.env };
      const home = require('os').homedir();
      exports.handler = async () => ({ atLoad, home });`, { environment: { TABLE: 'orders' } });
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Peek at the environment', peek)));
    const { atLoad, home: seenHome } = run.output;
    expect(Object.keys(atLoad).sort()).toEqual([
      'AWS_ACCESS_KEY_ID', 'AWS_CONFIG_FILE', 'AWS_DEFAULT_REGION', 'AWS_EC2_METADATA_DISABLED', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_ENDPOINT_URL',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
      'AWS_SHARED_CREDENTIALS_FILE', 'HOME', 'LANG', 'PATH', 'TABLE',
    ]);
    expect(atLoad.TABLE).toBe('orders');
    for (const key of SEALED_KEYS) expect(atLoad[key]).toBe('local-run-no-account');
    expect(atLoad.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:9');
    expect(atLoad.AWS_EC2_METADATA_DISABLED).toBe('true');
    expect(atLoad.AWS_REGION).toBe('us-east-1');
    // Its own empty HOME, never the developer's, also through node:os.
    expect(atLoad.HOME).not.toBe(home);
    expect(seenHome).toBe(atLoad.HOME);
    expect(atLoad.AWS_SHARED_CREDENTIALS_FILE.startsWith(atLoad.HOME)).toBe(true);
    expect(JSON.stringify(run.output)).not.toMatch(/AKIADEVELOPERKEY|developer-|hunter2|production|169\.254/);
    // The run's HOME is gone with the run.
    expect(fs.existsSync(atLoad.HOME)).toBe(false);
  });

  test('a fire-and-forget SDK call after the handler returned is signed with the fake keys and addressed to the refusing endpoint', async () => {
    const stack = new Stack(new App(), 'FireAndForget');
    // The user's code publishes without awaiting; its request handler records the signed request as it would go out.
    const publish = fn(stack, 'Publish', `
      const fs = require('fs');
      const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
      const sns = new SNSClient({
        requestHandler: { handle: async request => {
          fs.writeFileSync(process.env.RECORD, JSON.stringify({ host: request.hostname, port: request.port, authorization: request.headers.authorization }));
          throw new Error('recorded, not sent');
        } },
      });
      exports.handler = async () => {
        sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:orders', Message: 'hi' })).catch(() => undefined);
        return 'published';
      };`, { environment: { RECORD: record } });
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Publish and forget', publish).next(invoke(stack, 'Read the record', readRecord(stack)))));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.host).toBe('127.0.0.1');
    expect(String(run.output.port)).toBe('9');
    expect(run.output.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local-run-no-account\/\d{8}\/us-east-1\/sns\/aws4_request/);
    expect(run.output.authorization).not.toMatch(/AKIA/);
  });

  test('a timer that fires after the handler returned still sees the sealed environment', async () => {
    const stack = new Stack(new App(), 'Timer');
    const later = fn(stack, 'Later', `
      const fs = require('fs');
      exports.handler = async () => {
        setTimeout(() => fs.writeFileSync(process.env.RECORD, JSON.stringify({
          key: process.env.AWS_ACCESS_KEY_ID, profile: process.env.AWS_PROFILE ?? null, home: process.env.HOME, secret: process.env.DEVELOPER_DATABASE_PASSWORD ?? null,
        })), 30);
        return 'scheduled';
      };`, { environment: { RECORD: record } });
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Schedule', later).next(invoke(stack, 'Read the record', readRecord(stack)))));
    expect(run.output).toEqual({ key: 'local-run-no-account', profile: null, home: expect.not.stringContaining(home), secret: null });
  });

  test('the shared credentials file, the default chain and the metadata service give nothing of the developer\'s', async () => {
    const stack = new Stack(new App(), 'Providers');
    const probe = fn(stack, 'Probe', `
      const { fromIni } = require('@aws-sdk/credential-provider-ini');
      const { defaultProvider } = require('@aws-sdk/credential-provider-node');
      const { fromInstanceMetadata } = require('@smithy/credential-provider-imds');
      const attempt = p => p.then(c => ({ key: c.accessKeyId }), e => ({ error: e.message }));
      // Where the providers try to connect, as node:http is asked.
      const http = require('http');
      const hosts = [];
      const request = http.request;
      http.request = (options, ...rest) => { hosts.push(typeof options === 'string' ? new URL(options).host : options.hostname ?? options.host); return request(options, ...rest); };
      exports.handler = async () => ({
        hosts,
        production: await attempt(fromIni({ profile: 'production' })()),
        iniDefault: await attempt(fromIni()()),
        chain: await attempt(defaultProvider()()),
        metadata: await attempt(fromInstanceMetadata({ timeout: 1000, maxRetries: 0 })()),
      });`, { timeout: Duration.seconds(10) });
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Probe the providers', probe)));
    expect(run.output.production.error).toMatch(/production/);
    expect(run.output.iniDefault.error).toBeDefined();
    // The default chain stops at the environment's fake keys.
    expect(run.output.chain).toEqual({ key: 'local-run-no-account' });
    // The metadata service is asked at the refusing loopback endpoint, never at 169.254.169.254.
    expect(run.output.metadata.error).toBe('Unable to connect to instance metadata service');
    expect(run.output.hosts).toContain('127.0.0.1');
    expect(run.output.hosts.join(' ')).not.toMatch(/169\.254|amazonaws/);
    expect(JSON.stringify(run.output)).not.toMatch(/AKIA(PRODUCTION|DEFAULT)/);
  });

  test('two functions that run at the same time (two runs at once) each see their own template\'s variables', async () => {
    const code = `
      exports.handler = async () => {
        const start = Date.now();
        const before = process.env.COLOR;
        await new Promise(r => setTimeout(r, 150));
        return { before, after: process.env.COLOR, start, end: Date.now() };
      };`;
    const painter = (color: string) => {
      const stack = new Stack(new App(), `Paint${color}`);
      return machineOf(stack, invoke(stack, `Paint ${color}`, fn(stack, 'Painter', code, { environment: { COLOR: color } })));
    };
    const [red, blue] = (await Promise.all([runWorkflow(painter('red')), runWorkflow(painter('blue'))])).map(run => run.output);
    expect([red.before, red.after, blue.before, blue.after]).toEqual(['red', 'red', 'blue', 'blue']);
    // They overlapped in real time.
    expect(red.start < blue.end && blue.start < red.end).toBe(true);
  });
});

describe('what a function leaves behind, and how it ends', () => {
  test('module scope runs once per cold start: a warm function keeps its state across invocations of one run, and no state crosses runs', async () => {
    const stack = new Stack(new App(), 'Warm');
    const count = fn(stack, 'Count', 'let loads = (globalThis.loads ?? 0) + 1; globalThis.loads = loads; let calls = 0; exports.handler = async () => ({ loads, calls: ++calls });');
    const machine = machineOf(stack, invoke(stack, 'First', count).next(invoke(stack, 'Second', count)));
    const first = await runWorkflow(machine);
    expect(first.output).toEqual({ loads: 1, calls: 2 });
    expect((await runWorkflow(machine)).output).toEqual({ loads: 1, calls: 2 });
  });

  test('what the code prints is in run.logs, with its function and state, and not on the test\'s console', async () => {
    const stack = new Stack(new App(), 'Logs');
    const chatty = fn(stack, 'Chatty', 'console.log("cold start"); exports.handler = async (e) => { console.log("order %s", e.id); console.error("careful"); process.stdout.write("raw line\\n"); return e; };');
    const spy = jest.spyOn(console, 'log');
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Talk', chatty)), { input: { id: 'o-1' } });
    expect(run.logs).toEqual(expect.arrayContaining([
      { functionId: expect.stringMatching(/^Chatty/), state: 'Talk', level: 'log', message: 'cold start' },
      { functionId: expect.stringMatching(/^Chatty/), state: 'Talk', level: 'log', message: 'order o-1' },
      { functionId: expect.stringMatching(/^Chatty/), state: 'Talk', level: 'error', message: 'careful' },
      { functionId: expect.stringMatching(/^Chatty/), state: 'Talk', level: 'stdout', message: 'raw line' },
    ]));
    expect(spy.mock.calls.flat().join('\n')).not.toMatch(/order o-1|cold start/);
    spy.mockRestore();
  });

  test('an error keeps its name, message, stack and fields across the boundary, and a Catch sees it as Lambda reports it', async () => {
    const stack = new Stack(new App(), 'Errors');
    const decline = fn(stack, 'Decline', `
      class PaymentDeclined extends Error { constructor(m) { super(m); this.name = 'PaymentDeclined'; this.code = 51; } }
      exports.handler = async () => { throw new PaymentDeclined('card refused'); };`);
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Charge', decline).addCatch(new sfn.Pass(stack, 'Declined'), { errors: ['PaymentDeclined'] })));
    expect(run.path).toEqual(['Charge', 'Declined']);
    const cause = JSON.parse(run.output.Cause);
    expect(run.output.Error).toBe('PaymentDeclined');
    expect(cause).toMatchObject({ errorType: 'PaymentDeclined', errorMessage: 'card refused' });
    expect(cause.trace[0]).toBe('PaymentDeclined: card refused');
    expect(cause.trace.join('\n')).toMatch(/at exports\.handler|at .*handler/);
  });

  test('a handler that can never answer hits its template timeout in virtual time (Sandbox.Timedout), and Retry and Catch see it', async () => {
    const stack = new Stack(new App(), 'Never');
    const stuck = fn(stack, 'Stuck', 'exports.handler = () => new Promise(() => undefined);', { timeout: Duration.seconds(40) });
    const run = await runWorkflow(machineOf(stack, invoke(stack, 'Wait forever', stuck).addCatch(new sfn.Pass(stack, 'Timed out'), { errors: ['Sandbox.Timedout'] })));
    expect(run.path).toEqual(['Wait forever', 'Timed out']);
    expect(run.output.Error).toBe('Sandbox.Timedout');
    expect(JSON.parse(run.output.Cause).errorMessage).toMatch(/Task timed out after 40\.00 seconds/);
    expect(run.durationMs).toBeGreaterThanOrEqual(40_000);
  });

  test('a function does not read the environment of the process it runs in through /proc, by any path or API', async () => {
    const stack = new Stack(new App(), 'Proc');
    const reader = fn(stack, 'Reader', `exports.handler = async () => {
      const fs = require('fs');
      const link = require('path').join(require('os').tmpdir(), 'environ-link-' + process.pid + '-' + Date.now());
      fs.symlinkSync('/proc/self/environ', link);
      const tries = {
        readFileSync: () => fs.readFileSync('/proc/self/environ', 'utf8'),
        mem: () => fs.openSync('/proc/self/mem', 'r'),
        binding: () => process.binding('process_methods'),
        byPid: () => fs.readFileSync('/proc/' + process.pid + '/environ', 'utf8'),
        thread: () => fs.readFileSync('/proc/thread-self/environ', 'utf8'),
        openSync: () => fs.readSync(fs.openSync('/proc/self/environ', 'r'), Buffer.alloc(64)),
        url: () => fs.readFileSync(new URL('file:///proc/self/environ'), 'utf8'),
        symlink: () => fs.readFileSync(link, 'utf8'),
        relative: () => fs.readFileSync('../../../../../../../../proc/self/environ', 'utf8'),
      };
      const out = {};
      for (const [k, f] of Object.entries(tries)) { try { f(); out[k] = 'read'; } catch (e) { out[k] = e.code; } }
      out.promises = await require('fs/promises').readFile('/proc/self/environ').then(() => 'read', e => e.code);
      out.callback = await new Promise(r => fs.readFile('/proc/self/environ', e => r(e ? e.code : 'read')));
      out.stream = await new Promise(r => { try { fs.createReadStream('/proc/self/environ').on('error', e => r(e.code)).on('data', () => r('read')); } catch (e) { r(e.code); } });
      out.ordinary = fs.readFileSync('/proc/self/status', 'utf8').length > 0;
      fs.unlinkSync(link);
      return out;
    };`);
    const run = await runWorkflow(new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(invoke(stack, 'Read', reader)) }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({
      mem: 'EACCES',
      binding: 'ERR_ACCESS_DENIED',
      readFileSync: 'EACCES',
      byPid: 'EACCES',
      thread: 'EACCES',
      openSync: 'EACCES',
      url: 'EACCES',
      symlink: 'EACCES',
      relative: 'EACCES',
      promises: 'EACCES',
      callback: 'EACCES',
      stream: 'EACCES',
      ordinary: true,
    });
  });

  test('fails when a function signals its own process or aborts it: the run stops, the test process lives on', async () => {
    for (const [code, called] of [
      ['process.kill(process.pid, \'SIGTERM\')', 'process.kill('], ['process.abort()', 'process.abort()'], ['process.kill(0)', 'process.kill(0'],
      ['process._kill(process.pid, 9)', 'process._kill('], ['process._kill(process.pid, 19)', 'process._kill('], ['process.reallyExit(3)', 'process.reallyExit(3)'],
    ]) {
      const stack = new Stack(new App(), 'Signals');
      const killer = fn(stack, 'Killer', `exports.handler = async () => { ${code}; return 'still here'; };`);
      await expect(runWorkflow(new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(invoke(stack, 'Kill', killer)) })))
        .rejects.toThrow(`its code called ${called}`);
    }
  });

  test('fails when a function calls process.exit: the run stops naming the state and the function, the test process lives on', async () => {
    const stack = new Stack(new App(), 'Exit');
    const quit = fn(stack, 'Quit', 'exports.handler = async () => { process.exit(3); };');
    const machine = machineOf(stack, invoke(stack, 'Quit early', quit));
    const error = await runWorkflow(machine).catch(e => e);
    expect(error).toBeInstanceOf(FunctionSandboxError);
    expect(error.message).toMatch(/^state 'Quit early' calls the Lambda function Quit\w+, but its code called process\.exit\(3\): fix the function, or mock the state/);
  });

  test('fails when a function blocks the event loop past its timeout: the run stops naming the state and the function', async () => {
    const stack = new Stack(new App(), 'Block');
    const spin = fn(stack, 'Spin', 'exports.handler = async () => { for (;;) {} };', { timeout: Duration.seconds(1) });
    const error = await runWorkflow(machineOf(stack, invoke(stack, 'Spin forever', spin))).catch(e => e);
    expect(error).toBeInstanceOf(FunctionSandboxError);
    expect(error.message).toMatch(/state 'Spin forever' calls the Lambda function Spin\w+, but it did not answer within its timeout of 1 s of real time/);
  });

  test('fails when a function throws at module scope or cannot find a module: the run stops naming the state and the function', async () => {
    const stack = new Stack(new App(), 'Load');
    const broken = fn(stack, 'Broken', 'throw new TypeError("config missing"); exports.handler = async () => 1;');
    const error = await runWorkflow(machineOf(stack, invoke(stack, 'Load it', broken))).catch(e => e);
    expect(error).toBeInstanceOf(CodeLoadError);
    expect(error.message).toMatch(/state 'Load it' calls the Lambda function Broken\w+, but its code could not be loaded \(TypeError: config missing\)/);

    const stack2 = new Stack(new App(), 'Missing');
    const needs = fn(stack2, 'Needs', 'require("left-pad-that-is-not-installed"); exports.handler = async () => 1;');
    await expect(runWorkflow(machineOf(stack2, invoke(stack2, 'Load it', needs))))
      .rejects.toThrow(/its code needs the module 'left-pad-that-is-not-installed', which is not installed here/);
  });

  test('an exception thrown by a timer during the invocation fails the task with its own name; the next invocation starts cold', async () => {
    const stack = new Stack(new App(), 'Crash');
    const crash = fn(stack, 'Crash', `
      require('fs').appendFileSync(process.env.RECORD, 'load\\n');
      exports.handler = async (e) => {
        if (e.crash) { setTimeout(() => { throw new RangeError('boom'); }, 1); return new Promise(() => undefined); }
        return 'calm';
      };`, { environment: { RECORD: record } });
    const again = new tasks.LambdaInvoke(stack, 'Again', { lambdaFunction: crash, payloadResponseOnly: true, payload: sfn.TaskInput.fromObject({ crash: false }) });
    const first = new tasks.LambdaInvoke(stack, 'Crash it', { lambdaFunction: crash, payloadResponseOnly: true, payload: sfn.TaskInput.fromObject({ crash: true }) })
      .addCatch(again, { errors: ['RangeError'] });
    const run = await runWorkflow(machineOf(stack, first));
    expect(run.path).toEqual(['Crash it', 'Again']);
    expect(run.catches).toEqual([{ state: 'Crash it', error: 'RangeError', next: 'Again' }]);
    expect(run.output).toBe('calm');
    expect(fs.readFileSync(record, 'utf8')).toBe('load\nload\n');
  });
});

test('with idleMs (the local endpoint\'s), a worker idle that long ends; the next call starts cold', async () => {
  const sandbox = new FunctionSandbox(undefined, 150);
  const handler = sandbox.handler({
    logicalId: 'Counter',
    exportName: 'handler',
    environment: {},
    code: { inline: 'let calls = 0; exports.handler = async (e) => { calls++; await new Promise(r => setTimeout(r, e.ms)); return calls; };' },
  });
  const call = { state: 'S', resource: 'r', input: {}, attempt: 1 };
  try {
    // Two at once: two workers, each warm after its call.
    expect(await Promise.all([handler({ ms: 50 }, call), handler({ ms: 50 }, call)])).toEqual([1, 1]);
    expect(sandbox.workers).toBe(2);
    expect(await handler({ ms: 0 }, call)).toBe(2);
    await new Promise(resolve => setTimeout(resolve, 400));
    expect(sandbox.workers).toBe(0);
    // Ended: the next call is a cold start (module scope again).
    expect(await handler({ ms: 0 }, call)).toBe(1);
  } finally {
    await sandbox.dispose();
  }
});
