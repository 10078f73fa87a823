/**
 * An activity worker for any Node.js host (EC2, ECS, on premises): it long-polls a Step Functions
 * activity, runs your handler on each task with heartbeats, answers with SendTaskSuccess or
 * SendTaskFailure, backs off when throttled, and on SIGTERM finishes or fails the tasks it holds,
 * never dropping one.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html
 */
import * as os from 'os';
import { failureOf, Outcome, SHUTTING_DOWN, successOf } from './outcome';

/** What a handler is given besides the task's input. */
export interface ActivityContext {
  /** The task's token (never log it: it answers the task). */
  readonly taskToken: string;
  /** The name this worker polls with (it is in the execution's history). */
  readonly workerName: string;
  /** Aborted when the task is over for this worker: Step Functions timed it out, or the worker stops. */
  readonly signal: AbortSignal;
  /** Sends a heartbeat now (the worker also sends one every `heartbeatSeconds`). */
  heartbeat(): Promise<void>;
}

/** Your code: the task's input in, its output (JSON) out; a thrown error fails the task with its name and message. */
export type ActivityHandler = (input: any, context: ActivityContext) => unknown;

/** The Step Functions calls a worker makes (the AWS SDK's SFNClient, or a stand-in). */
export interface ActivityApi {
  getActivityTask(params: { activityArn: string; workerName: string }, signal: AbortSignal): Promise<{ taskToken?: string; input?: string }>;
  sendTaskSuccess(params: { taskToken: string; output: string }): Promise<unknown>;
  sendTaskFailure(params: { taskToken: string; error: string; cause: string }): Promise<unknown>;
  sendTaskHeartbeat(params: { taskToken: string }): Promise<unknown>;
}

export interface ActivityWorkerOptions {
  /** The activity's ARN (`ActivityTask.activity.activityArn`, passed to the host in its environment). */
  readonly activityArn: string;
  readonly handler: ActivityHandler;
  /** How many tasks the worker runs at once (each slot polls on its own). @default 1 */
  readonly concurrency?: number;
  /** The name in the execution's history. @default `<hostname>-<pid>` */
  readonly workerName?: string;
  /** Seconds between two heartbeats while a handler runs; keep it well under the task's heartbeat (5 minutes by default). @default 30 */
  readonly heartbeatSeconds?: number;
  /** On stop, how long the tasks in hand may take to end before they are failed with `ActivityWorker.ShuttingDown`. @default 25 (ECS waits 30) */
  readonly shutdownGraceSeconds?: number;
  /** Stop on SIGTERM and SIGINT. @default true */
  readonly handleSignals?: boolean;
  /** The Step Functions API. @default the AWS SDK's SFNClient (`@aws-sdk/client-sfn`, installed beside this package) with a 65-second socket timeout */
  readonly api?: ActivityApi;
  /** Where the worker writes what it does (never task tokens). @default console.error */
  readonly log?: (line: string) => void;
}

/** Seconds between two heartbeats while a handler runs, unless told otherwise. */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

/** Errors that say the task is no longer this worker's: answering it again is pointless. */
const CLOSED = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);
const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/;

export class ActivityWorker {
  private readonly options: Required<Omit<ActivityWorkerOptions, 'api'>> & { api: ActivityApi };
  private stopping = false;
  private readonly polls = new Set<AbortController>();
  private readonly inHand = new Map<string, { controller: AbortController; failed: boolean }>();
  /** The answers being sent: the worker has stopped only once they are. */
  private readonly answering = new Set<Promise<void>>();
  private running?: Promise<void>;
  private readonly onSignal: () => void;

  constructor(options: ActivityWorkerOptions) {
    const where = 'ActivityWorker';
    if (!options || typeof options.activityArn !== 'string' || !/^arn:[^:]+:states:[^:]+:\d{12}:activity:.+$/.test(options.activityArn)) {
      throw new Error(`${where}: activityArn must be an activity's ARN, arn:aws:states:<region>:<account>:activity:<name> (got ${JSON.stringify(options?.activityArn)}); `
        + 'pass the ActivityTask\'s activity.activityArn to the host, in its environment');
    }
    if (typeof options.handler !== 'function') throw new Error(`${where}: handler must be a function (input, context) => output (got ${typeof options.handler})`);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
      throw new Error(`${where}: concurrency must be a whole number from 1 to 1000, the pollers Step Functions allows per activity (got ${concurrency})`);
    }
    const heartbeatSeconds = options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
    if (typeof heartbeatSeconds !== 'number' || !(heartbeatSeconds > 0 && heartbeatSeconds <= 3600)) {
      throw new Error(`${where}: heartbeatSeconds must be a number of seconds from more than 0 to 3600, well under the task's heartbeat (got ${JSON.stringify(heartbeatSeconds)})`);
    }
    const grace = options.shutdownGraceSeconds ?? 25;
    if (typeof grace !== 'number' || !(grace >= 0 && grace <= 3600)) {
      throw new Error(`${where}: shutdownGraceSeconds must be a number of seconds from 0 to 3600 (got ${JSON.stringify(grace)}); ECS waits 30 seconds by default`);
    }
    if (options.workerName !== undefined && (typeof options.workerName !== 'string' || options.workerName.length === 0)) {
      throw new Error(`${where}: workerName must be a non-empty string, at most 80 characters (got ${JSON.stringify(options.workerName)})`);
    }
    const methods = ['getActivityTask', 'sendTaskSuccess', 'sendTaskFailure', 'sendTaskHeartbeat'] as const;
    if (options.api !== undefined && (typeof options.api !== 'object' || options.api === null || methods.some(m => typeof (options.api as any)[m] !== 'function'))) {
      throw new Error(`${where}: api must have the functions ${methods.join(', ')} (got ${options.api === null ? 'null' : typeof options.api}`
        + `${options.api && typeof options.api === 'object' ? ` without ${methods.filter(m => typeof (options.api as any)[m] !== 'function').join(', ')}` : ''}); `
        + 'leave it out to call Step Functions through the AWS SDK (an SFNClient is not an api)');
    }
    this.options = {
      activityArn: options.activityArn,
      handler: options.handler,
      concurrency,
      workerName: (options.workerName ?? `${os.hostname()}-${process.pid}`).slice(0, 80),
      heartbeatSeconds,
      shutdownGraceSeconds: grace,
      handleSignals: options.handleSignals ?? true,
      api: options.api ?? sdkApi(),
      log: options.log ?? (line => console.error(line)),
    };
    this.onSignal = () => { void this.stop(); };
  }

  /** Starts polling; the promise ends when the worker has stopped and answered every task it took. */
  public start(): Promise<void> {
    if (this.running) return this.running;
    if (this.options.handleSignals) {
      process.once('SIGTERM', this.onSignal);
      process.once('SIGINT', this.onSignal);
    }
    this.options.log(`activity worker ${this.options.workerName}: polling ${this.options.activityArn} with ${this.options.concurrency} slot(s)`);
    this.running = Promise.all(Array.from({ length: this.options.concurrency }, () => this.slot())).then(async () => {
      // A task failed at the end of the grace is answered before the worker says it has stopped.
      while (this.answering.size > 0) await Promise.all([...this.answering]);
      process.removeListener('SIGTERM', this.onSignal);
      process.removeListener('SIGINT', this.onSignal);
      this.options.log(`activity worker ${this.options.workerName}: stopped`);
    });
    return this.running;
  }

  /**
   * Stops polling. The tasks in hand have `shutdownGraceSeconds` to end; those still running then are
   * failed with `ActivityWorker.ShuttingDown` (the ActivityTask retries it), and a task a poll hands
   * out meanwhile is failed at once the same way.
   */
  public async stop(): Promise<void> {
    if (this.stopping) return this.running;
    this.stopping = true;
    this.options.log(`activity worker ${this.options.workerName}: stopping (${this.inHand.size} task(s) in hand)`);
    const grace = setTimeout(() => {
      for (const [token, task] of this.inHand) {
        if (task.failed) continue;
        task.failed = true;
        task.controller.abort();
        this.track(this.answer(token, { kind: 'failure', error: SHUTTING_DOWN, cause: `The worker ${this.options.workerName} stopped before the task ended` }));
      }
      // A poll still open past the grace is abandoned: a task it hands out is freed by its heartbeat timeout.
      for (const poll of this.polls) poll.abort();
    }, this.options.shutdownGraceSeconds * 1000);
    try {
      await this.running;
    } finally {
      clearTimeout(grace);
    }
  }

  private async slot(): Promise<void> {
    let backoff = 0;
    while (!this.stopping) {
      const controller = new AbortController();
      this.polls.add(controller);
      let task: { taskToken?: string; input?: string };
      const polled = Date.now();
      try {
        const params = { activityArn: this.options.activityArn, workerName: this.options.workerName };
        task = await this.options.api.getActivityTask(params, controller.signal);
        backoff = 0;
      } catch (e) {
        if (this.stopping && controller.signal.aborted) break;
        backoff = Math.min(backoff === 0 ? 1 : backoff * 2, 32);
        const wait = Math.random() * backoff;
        const name = (e as Error).name;
        this.options.log(`activity worker ${this.options.workerName}: GetActivityTask failed (${name}${THROTTLED.test(name) ? ', throttled' : ''}: ${(e as Error).message}); polling again in ${wait.toFixed(1)} s`);
        await delay(wait * 1000);
        continue;
      } finally {
        this.polls.delete(controller);
      }
      if (!task.taskToken) {
        // A poll holds up to 60 seconds when there is no task: one that came back empty at once is not to be repeated in a tight loop.
        if (Date.now() - polled < 1000) await delay(1000);
        continue;
      }
      if (this.stopping) {
        await this.answer(task.taskToken, { kind: 'failure', error: SHUTTING_DOWN, cause: `The worker ${this.options.workerName} was stopping when it received the task` });
        break;
      }
      await this.run(task.taskToken, task.input);
    }
  }

  private async run(taskToken: string, inputText: string | undefined): Promise<void> {
    const controller = new AbortController();
    const task = { controller, failed: false };
    this.inHand.set(taskToken, task);
    let closed = false;
    const heartbeat = async () => {
      try {
        await this.options.api.sendTaskHeartbeat({ taskToken });
      } catch (e) {
        if (CLOSED.has((e as Error).name)) {
          closed = true;
          controller.abort();
        } else {
          this.options.log(`activity worker ${this.options.workerName}: a heartbeat failed (${(e as Error).name}: ${(e as Error).message}); the next one is in ${this.options.heartbeatSeconds} s`);
        }
      }
    };
    const timer = setInterval(() => void heartbeat(), this.options.heartbeatSeconds * 1000);
    let outcome: Outcome;
    try {
      const input = inputText === undefined ? {} : JSON.parse(inputText);
      const context: ActivityContext = { taskToken, workerName: this.options.workerName, signal: controller.signal, heartbeat };
      // The handler may never end: once the task is no longer this worker's (closed, or failed at shutdown), stop waiting for it.
      const over = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('the task is over for this worker')), { once: true }));
      over.catch(() => undefined);
      outcome = successOf(await Promise.race([Promise.resolve(this.options.handler(input, context)), over]));
    } catch (e) {
      outcome = failureOf(e);
    } finally {
      clearInterval(timer);
    }
    this.inHand.delete(taskToken);
    if (task.failed) return;
    if (closed) {
      this.options.log(`activity worker ${this.options.workerName}: a task ended after Step Functions closed it (it timed out); its ${outcome.kind} is dropped`);
      return;
    }
    await this.answer(taskToken, outcome);
  }

  private track(sending: Promise<void>): void {
    this.answering.add(sending);
    void sending.finally(() => this.answering.delete(sending));
  }

  /** Sends the outcome, retried with backoff on errors that may go away; a task already closed is not answered again. */
  private async answer(taskToken: string, outcome: Outcome): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (outcome.kind === 'success') await this.options.api.sendTaskSuccess({ taskToken, output: outcome.output });
        else await this.options.api.sendTaskFailure({ taskToken, error: outcome.error, cause: outcome.cause });
        return;
      } catch (e) {
        const name = (e as Error).name;
        if (CLOSED.has(name) || attempt >= 5) {
          this.options.log(`activity worker ${this.options.workerName}: could not send the task's ${outcome.kind} (${name}: ${(e as Error).message})${CLOSED.has(name) ? '; the task was already closed' : ` after ${attempt} attempts`}`);
          return;
        }
        await delay(Math.random() * Math.min(2 ** attempt * 250, 8_000));
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The Step Functions API through the AWS SDK, which the host installs (`npm install @aws-sdk/client-sfn`). */
function sdkApi(): ActivityApi {
  let sdk: any;
  try {
    // The host installs the SDK (it is not a dependency of the construct library).
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    sdk = require('@aws-sdk/client-sfn');
  } catch {
    throw new Error('ActivityWorker: the AWS SDK for Step Functions is not installed; run npm install @aws-sdk/client-sfn on the worker\'s host (or pass api)');
  }
  // GetActivityTask holds a poll up to 60 seconds: the socket must wait longer (AWS says at least 65).
  const client = new sdk.SFNClient({ requestHandler: { requestTimeout: 65_000, connectionTimeout: 5_000 } });
  return {
    getActivityTask: (params, signal) => client.send(new sdk.GetActivityTaskCommand(params), { abortSignal: signal }),
    sendTaskSuccess: params => client.send(new sdk.SendTaskSuccessCommand(params)),
    sendTaskFailure: params => client.send(new sdk.SendTaskFailureCommand(params)),
    sendTaskHeartbeat: params => client.send(new sdk.SendTaskHeartbeatCommand(params)),
  };
}
