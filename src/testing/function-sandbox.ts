/**
 * Sealed local runs: every Lambda function's own code (its module scope, its handler and whatever it
 * leaves running) runs in a worker thread of its own, started with exactly the environment variables
 * its template gives it plus sealed AWS settings, never with the developer's environment:
 * - fake credentials, no profile, an empty HOME of the run's own, the shared credentials and config
 *   files pointed into it (they do not exist), no container or web-identity credentials, the instance
 *   metadata service disabled, and every AWS endpoint pointed at a loopback port that refuses;
 * - a warm worker per function answers the next invocation (module scope runs once per cold start),
 *   overlapping invocations get workers of their own, and every worker ends when the run ends;
 * - what the code prints goes to the run's logs; the library's own bundles reach the run's offline
 *   services through the worker's message channel.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { TaskOutcome } from '../engine';
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION } from './asl';
import { HarnessError, TaskCall, TaskHandler } from './local-execution';
import type { OfflineAws } from './offline-aws';
import { SANDBOX_WORKER_SOURCE } from './sandbox-worker';

/** Where a function's code is: inline, or a file of an asset folder. */
export type FunctionCode = { readonly inline: string } | { readonly file: string };

/** A Lambda function of a template, as the sandbox runs it. */
export interface SandboxedFunction {
  /** Its logical id (also its name in the run). */
  readonly logicalId: string;
  readonly code: FunctionCode;
  /** The handler's export (`handler` in `index.handler`). */
  readonly exportName: string;
  /** The variables its template gives it (references resolved to placeholders). */
  readonly environment: Readonly<Record<string, string>>;
  /** Its `Timeout`. @default 3 */
  readonly timeoutSeconds?: number;
  /** Its `MemorySize`. @default 128 */
  readonly memoryMb?: number;
  /** The library's own bundle: its `@aws-sdk/client-*` calls go to the run's offline services. */
  readonly offlineSdk?: boolean;
}

/** One line a function's code printed. */
export interface FunctionLog {
  /** The function's logical id. */
  readonly functionId: string;
  /** The Task state whose invocation printed it (undefined for a line printed while loading). */
  readonly state?: string;
  /** `log`, `info`, `warn`, `error`, `debug`, `trace`, or `stdout`/`stderr` for what it wrote there directly. */
  readonly level: string;
  readonly message: string;
}

/** The loopback address every AWS endpoint of a sealed function points at: nothing listens on the discard port. */
export const REFUSING_ENDPOINT = 'http://127.0.0.1:9';

/** A function's code stopped the run: it exited the process, or blocked past its timeout. */
export class FunctionSandboxError extends HarnessError {
  constructor(public readonly state: string, public readonly functionId: string, reason: string) {
    super(`state '${state}' calls the Lambda function ${functionId}, but ${reason}: fix the function, or mock the state (states['${state}'], or "states": { "${state}": { "result": ... } } in a mocks file)`, state);
    this.name = 'FunctionSandboxError';
  }
}

/** A Lambda function's code cannot run here: the run stops, naming the state, the function and the mock to add. */
export class CodeLoadError extends HarnessError {
  constructor(public readonly state: string, public readonly functionId: string, reason: string) {
    super(`state '${state}' calls the Lambda function ${functionId}, but ${reason}: mock the state instead (states['${state}'], or "states": { "${state}": { "result": ... } } in a mocks file)`, state);
    this.name = 'CodeLoadError';
  }
}

/** How long a cold start may take, as Lambda allows its init phase. */
const INIT_SECONDS = 10;

/**
 * Blank workers started ahead of need: a worker's own start (about 20 ms) is paid between runs, not
 * in them. A spare has an empty environment and no code until a function takes it; it does not keep
 * the process alive, and ends after a few idle seconds.
 */
const spares = new Set<Worker>();
const MAX_SPARES = 6;
const SPARE_IDLE_MS = 3_000;
let spareTimer: NodeJS.Timeout | undefined;

function blankWorker(): Worker {
  // No flag of the test runner's process (a preload, an inspector port) reaches the worker.
  return new Worker(SANDBOX_WORKER_SOURCE, { eval: true, env: {}, execArgv: [], stdout: true, stderr: true });
}

function takeWorker(): Worker {
  const spare = spares.values().next().value as Worker | undefined;
  if (!spare) return blankWorker();
  spares.delete(spare);
  spare.ref();
  return spare;
}

function keepSpares(count: number): void {
  while (spares.size < Math.min(count, MAX_SPARES)) {
    const spare = blankWorker();
    spare.unref();
    spare.once('exit', () => spares.delete(spare));
    spares.add(spare);
  }
  if (spareTimer) clearTimeout(spareTimer);
  spareTimer = setTimeout(() => {
    for (const spare of spares) void spare.terminate();
    spares.clear();
  }, SPARE_IDLE_MS);
  spareTimer.unref();
}

interface SerializedError {
  readonly isError: boolean;
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
  readonly props?: Record<string, unknown>;
  readonly value?: unknown;
}

/** A thrown value as the function threw it: an Error keeps its name, message, stack and fields. */
function rebuild(e: SerializedError): unknown {
  if (!e.isError) return e.value;
  const error = Object.assign(new Error(e.message), e.props);
  error.name = e.name ?? 'Error';
  error.stack = e.stack || `${error.name}: ${error.message}`;
  return error;
}

interface Invocation {
  readonly call: TaskCall;
  readonly requestId: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** One worker of a function: a Lambda execution environment. */
class Instance {
  public busy = false;
  public alive = true;
  /** Ends the worker once it has been idle long enough (see FunctionSandbox's idleMs). */
  public reaper?: NodeJS.Timeout;
  private current?: Invocation;
  private loading?: { resolve: () => void; reject: (e: unknown) => void };
  private crash?: { kind: string; error: SerializedError };
  /** What ended the thread: process.exit's code, or the signal or abort it was refused. */
  private exitCode?: number | string;
  private stopped?: string;
  private timer?: NodeJS.Timeout;
  private state?: string;

  constructor(
    private readonly sandbox: FunctionSandbox, private readonly fn: SandboxedFunction, private readonly worker: Worker, private readonly init: object,
  ) {
    worker.on('message', message => this.onMessage(message));
    worker.on('error', e => {
      this.crash ??= { kind: 'exception', error: { isError: true, name: e.name, message: e.message, stack: e.stack } };
    });
    worker.on('exit', () => this.onExit());
    for (const [stream, level] of [[worker.stdout, 'stdout'], [worker.stderr, 'stderr']] as const) {
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => text.split('\n').filter(Boolean).forEach(line => this.log(level, line)));
    }
  }

  /** Resolves once the code is loaded (its module scope ran). */
  public load(call: TaskCall): Promise<void> {
    this.state = call.state;
    return new Promise((resolve, reject) => {
      this.loading = { resolve, reject };
      this.worker.postMessage({ type: 'init', ...this.init });
      this.arm(INIT_SECONDS, `its code did not finish loading within ${INIT_SECONDS} s (its module scope blocks the event loop, or waits)`);
    });
  }

  public invoke(event: unknown, call: TaskCall): Promise<unknown> {
    const requestId = crypto.randomUUID();
    const timeout = this.fn.timeoutSeconds ?? 3;
    this.sandbox.track(requestId, call.state);
    this.busy = true;
    this.state = call.state;
    return new Promise((resolve, reject) => {
      this.current = { call, requestId, resolve, reject };
      this.arm(timeout, `it did not answer within its timeout of ${timeout} s of real time (its code blocks the event loop, or waits for real time)`);
      this.worker.postMessage({
        type: 'invoke',
        id: requestId,
        event: JSON.stringify(event ?? null),
        context: {
          functionName: this.fn.logicalId,
          invokedFunctionArn: `arn:aws:lambda:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:function:${this.fn.logicalId}`,
          memoryLimitInMB: String(this.fn.memoryMb ?? 128),
          awsRequestId: requestId,
          timeoutMs: timeout * 1000,
        },
      });
    });
  }

  public terminate(): Promise<number> {
    this.alive = false;
    this.disarm();
    return this.worker.terminate();
  }

  /** Stops a worker that runs past its time: the run stops with a message naming the state and the function. */
  private arm(seconds: number, reason: string): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.stopped = reason;
      void this.terminate();
    }, seconds * 1000);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private log(level: string, message: string, requestId?: string): void {
    const state = requestId === undefined ? this.state : this.sandbox.stateOf(requestId);
    this.sandbox.logs.push({ functionId: this.fn.logicalId, ...(state !== undefined ? { state } : {}), level, message });
  }

  private onMessage(message: any): void {
    switch (message?.type) {
      case 'log':
        return this.log(message.level, message.text, message.requestId);
      case 'ready':
        this.disarm();
        return this.settleLoad();
      case 'load-failed':
        this.disarm();
        return this.settleLoad(message.error);
      case 'sdk':
        return void this.sandbox.answerSdk(message).then(answer => this.alive && this.worker.postMessage({ type: 'sdk-answer', id: message.id, ...answer }));
      case 'crash':
        this.crash = { kind: message.kind, error: message.error };
        return;
      case 'exit':
        this.exitCode = message.code;
        return;
      case 'result':
        return this.settleInvocation(message);
    }
  }

  private settleLoad(error?: SerializedError): void {
    const loading = this.loading;
    this.loading = undefined;
    if (!loading) return;
    if (!error) return loading.resolve();
    const missing = /Cannot find module '([^']+)'/.exec(error.message ?? '')?.[1];
    const reason = error.name === 'Runtime.HandlerNotFound' ? error.message!
      : missing ? `its code needs the module '${missing}', which is not installed here`
        : `its code could not be loaded (${error.name}: ${(error.message ?? String(error.value)).split('\n')[0]})`;
    void this.terminate();
    loading.reject(new CodeLoadError(this.state ?? '', this.fn.logicalId, reason));
  }

  private settleInvocation(message: { json?: string; error?: SerializedError; unserializable?: boolean }): void {
    const invocation = this.current;
    this.current = undefined;
    this.busy = false;
    this.disarm();
    if (!invocation) return;
    if (message.error) return invocation.reject(rebuild(message.error));
    // A result JSON cannot carry fails as Lambda fails it ('Unable to stringify response body'): the engine does that for a BigInt.
    if (message.unserializable) return invocation.resolve(BigInt(0));
    invocation.resolve(message.json === undefined ? null : JSON.parse(message.json));
  }

  private onExit(): void {
    this.alive = false;
    this.disarm();
    const state = this.current?.call.state ?? this.state ?? '';
    const crash = this.crash && rebuild(this.crash.error);
    const why = this.stopped ?? (typeof this.exitCode === 'string' ? `its code called ${this.exitCode}, which would end the process it runs in`
      : this.exitCode !== undefined ? `its code called process.exit(${this.exitCode})` : undefined);
    if (this.loading) {
      const reason = why ?? (crash ? `its code could not be loaded (${String((crash as Error).name)}: ${String((crash as Error).message)})` : 'its code ended while loading');
      this.loading.reject(why ? new FunctionSandboxError(state, this.fn.logicalId, reason) : new CodeLoadError(state, this.fn.logicalId, reason));
      this.loading = undefined;
      return;
    }
    const invocation = this.current;
    this.current = undefined;
    this.busy = false;
    if (!invocation) {
      if (crash && !this.stopped) this.log('error', `uncaught ${this.crash!.kind} after the function returned, the next invocation starts cold: ${String((crash as Error).stack ?? crash)}`);
      return;
    }
    if (why) return invocation.reject(new FunctionSandboxError(state, this.fn.logicalId, why));
    if (crash) {
      // As the Node.js runtime reports them: an uncaught exception as itself, a rejection as Runtime.UnhandledPromiseRejection.
      if (this.crash!.kind === 'exception') return invocation.reject(crash);
      const reason = crash instanceof Error ? `${crash.name}: ${crash.message}` : String(crash);
      return invocation.reject(Object.assign(new Error(reason), { name: 'Runtime.UnhandledPromiseRejection' }));
    }
    // Nothing left to run and no answer: the handler's promise can never settle, so Lambda would wait out its timeout.
    const timeout = this.fn.timeoutSeconds ?? 3;
    const errorMessage = `RequestId: ${invocation.requestId} Error: Task timed out after ${timeout.toFixed(2)} seconds`;
    invocation.resolve(TaskOutcome.fail('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage }), { afterSeconds: timeout }));
  }
}

/**
 * The sealed functions of one local run. `handler(fn)` gives the task handler that runs a function's
 * code; `dispose()` ends every worker (and whatever the code left running) and removes the run's HOME.
 */
export class FunctionSandbox {
  /** Every line the functions' code printed, in order. */
  public readonly logs: FunctionLog[] = [];
  private readonly instances = new Map<string, Instance[]>();
  private readonly states = new Map<string, string>();
  private home?: string;
  private disposed = false;
  private started = 0;

  /**
   * @param offline the offline AWS services the library's own functions call
   * @param idleMs end a function's worker once it has been idle this long, as Lambda ends an execution
   *   environment (a long-lived host, the local endpoint, would otherwise keep every worker its busiest
   *   moment started). Default: kept until `dispose()`, as a run is short.
   */
  constructor(private readonly offline?: OfflineAws, private readonly idleMs?: number) {}

  /** How many workers are alive (warm or busy). */
  public get workers(): number {
    return [...this.instances.values()].flat().filter(i => i.alive).length;
  }

  /** The task handler that runs `fn`'s code in a sealed worker (warm when one is free, cold otherwise). */
  public handler(fn: SandboxedFunction): TaskHandler {
    return async (event: unknown, call: TaskCall) => {
      if (this.disposed) throw new HarnessError(`state '${call.state}': the run that owned the Lambda function ${fn.logicalId} has ended`, call.state);
      const pool = this.instances.get(fn.logicalId) ?? [];
      this.instances.set(fn.logicalId, pool);
      let instance = pool.find(i => i.alive && !i.busy);
      if (instance?.reaper) clearTimeout(instance.reaper);
      if (!instance) {
        instance = new Instance(this, fn, takeWorker(), this.initOf(fn));
        this.started++;
        instance.busy = true;
        pool.push(instance);
        try {
          await instance.load(call);
        } finally {
          instance.busy = false;
        }
      }
      try {
        return await instance.invoke(event, call);
      } finally {
        this.reapLater(fn.logicalId, instance);
      }
    };
  }

  /** Ends an idle worker after idleMs, unless an invocation takes it first. */
  private reapLater(logicalId: string, instance: Instance): void {
    if (this.idleMs === undefined || !instance.alive) return;
    const ms = this.idleMs;
    instance.reaper = setTimeout(() => {
      if (instance.busy || !instance.alive) return;
      const pool = this.instances.get(logicalId) ?? [];
      const at = pool.indexOf(instance);
      if (at >= 0) pool.splice(at, 1);
      void instance.terminate();
    }, ms);
    instance.reaper.unref();
  }

  /** The Task state an invocation ran for. */
  public stateOf(requestId: string): string | undefined {
    return this.states.get(requestId);
  }

  /** Answers an offline AWS SDK call of a library bundle. */
  public async answerSdk(message: { pkg: string; command: string; input: unknown }): Promise<{ result?: unknown; error?: SerializedError }> {
    try {
      const module = this.offline?.sdkModule(message.pkg) as Record<string, any> | undefined;
      const shape = this.offline?.sdkShapes()[message.pkg];
      if (!module || !shape) throw new Error(`offline AWS: no service for ${message.pkg}`);
      const Client = module[shape.client];
      const Command = module[message.command];
      return { result: await new Client().send(new Command(message.input)) };
    } catch (e) {
      const error = e as Error & Record<string, unknown>;
      const props = Object.fromEntries(Object.entries(error).filter(([k]) => !['name', 'message', 'stack'].includes(k)));
      return { error: { isError: true, name: error.name, message: error.message, stack: error.stack, props: JSON.parse(JSON.stringify(props)) } };
    }
  }

  /** Ends every worker and removes the run's HOME: nothing a function started outlives the run. */
  public async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.instances.values()].flat();
    this.instances.clear();
    await Promise.all(all.map(i => i.terminate()));
    if (this.home) fs.rmSync(this.home, { recursive: true, force: true });
    // The next run (a test file runs many) finds as many workers ready as this one started.
    if (this.started > 0) keepSpares(this.started);
  }

  /** The variables a function's worker starts with: its template's, then the sealed AWS settings. */
  public environmentOf(fn: SandboxedFunction): Record<string, string> {
    this.home ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-workflow-patterns-home-'));
    return {
      ...fn.environment,
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb ?? 128),
      AWS_REGION: PLACEHOLDER_REGION,
      AWS_DEFAULT_REGION: PLACEHOLDER_REGION,
      AWS_ACCESS_KEY_ID: 'local-run-no-account',
      AWS_SECRET_ACCESS_KEY: 'local-run-no-account',
      AWS_SESSION_TOKEN: 'local-run-no-account',
      AWS_ENDPOINT_URL: REFUSING_ENDPOINT,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: REFUSING_ENDPOINT,
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.home, '.aws', 'credentials'),
      AWS_CONFIG_FILE: path.join(this.home, '.aws', 'config'),
      HOME: this.home,
      PATH: [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
      LANG: 'en_US.UTF-8',
    };
  }

  /** What makes a blank worker this function's: its sealed environment and its code. */
  private initOf(fn: SandboxedFunction): object {
    const shapes = fn.offlineSdk && this.offline ? this.offline.sdkShapes() : undefined;
    return { env: this.environmentOf(fn), code: fn.code, exportName: fn.exportName, offlineSdk: shapes };
  }

  /** @internal records which state an invocation ran for (its log lines name it). */
  public track(requestId: string, state: string): void {
    this.states.set(requestId, state);
  }
}
