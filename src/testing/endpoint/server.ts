/**
 * A local Step Functions endpoint: the Step Functions API over HTTP, for any AWS SDK or the AWS CLI,
 * running the app's state machines (and those created through the API) on the library's engine.
 */
import * as fs from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { MockConfig } from './mock-config';
import { AFTER_SEND } from './operation';
import { OPERATIONS } from './operations';
import { Params } from './params';
import { answer, answerError, ApiError, readRequest } from './protocol';
import { StepFunctionsService } from './service';
import { LocalS3 } from '../../engine';
import { closest } from '../../private/closest';
import { appBuckets, stackTemplates } from '../assembly';
import { checkEndpoints } from '../http';
import { parseMocks } from '../mocks';

export interface LocalStepFunctionsOptions {
  /** The cloud assembly (cdk.out) whose state machines are there at start. @default none: only what CreateStateMachine creates */
  readonly app?: string;
  /** @default 8083; 0 takes any free port */
  readonly port?: number;
  /** The address to listen on. @default '127.0.0.1' (this machine only) */
  readonly host?: string;
  /**
   * A mocks file (or its parsed content): Step Functions Local's mock configuration
   * (`StateMachines`/`MockedResponses`, test cases started as `<stateMachineArn>#<TestCase>`), or
   * the `run` command's (`states`/`resources`/`callbacks`, for every execution).
   * @default none
   */
  readonly mocks?: string | object;
  /**
   * The S3 Distributed Maps read from and write to: a folder with one folder per bucket (an app's
   * bucket is the folder named after its construct path, `MyStack-Orders-Results`, as for the `run`
   * command), where what an execution writes is written back when it ends; or a LocalS3.
   * @default an empty local S3
   */
  readonly s3?: string | LocalS3;
  /** `real`: a Wait of 2 seconds takes 2 seconds. `virtual`: waits and timeouts take no time, while nothing waits for an answer from outside. @default 'real' */
  readonly time?: 'real' | 'virtual';
  /** HTTP tasks: API URLs mapped to local addresses. @default none */
  readonly httpEndpoints?: Readonly<Record<string, string>>;
  /** How long GetActivityTask waits for a task, in seconds. @default 60 */
  readonly activityPollSeconds?: number;
}

export interface LocalStepFunctions {
  /** `http://127.0.0.1:8083` */
  readonly endpoint: string;
  readonly port: number;
  /**
   * Settings for an `SFNClient` of `@aws-sdk/client-sfn` that talks to the endpoint:
   * `new SFNClient(sfn.clientConfig)`. It turns off the `sync-` host prefix the SDK puts before the
   * host of StartSyncExecution and TestState, which would not resolve here.
   */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly disableHostPrefix: true;
  };
  /** What the endpoint holds (for a test that wants to look inside). */
  readonly service: StepFunctionsService;
  /** Stops the endpoint: every running execution is stopped, every connection closed. */
  stop(): Promise<void>;
}

function readMocks(mocks: string | object | undefined): { mocks?: ReturnType<typeof parseMocks>; mockConfig?: MockConfig } {
  if (mocks === undefined) return {};
  const file = typeof mocks === 'string' ? mocks : 'mocks';
  let doc: unknown = mocks;
  if (typeof mocks === 'string') {
    if (!fs.existsSync(mocks)) throw new Error(`startLocalStepFunctions: the mocks file ${mocks} does not exist`);
    try {
      doc = JSON.parse(fs.readFileSync(mocks, 'utf8'));
    } catch (e) {
      throw new Error(`startLocalStepFunctions: the mocks file ${mocks} is not JSON: ${(e as Error).message}`);
    }
  }
  return MockConfig.isMockConfig(doc) ? { mockConfig: MockConfig.parse(doc, file) } : { mocks: parseMocks(doc, file) };
}

/** Handles one request: never throws, never leaves a request unanswered. */
async function handle(service: StepFunctionsService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const gone = new Promise<void>(resolve => res.on('close', () => resolve()));
  try {
    const request = await readRequest(req);
    const operation = Object.prototype.hasOwnProperty.call(OPERATIONS, request.operation) ? OPERATIONS[request.operation] : undefined;
    if (!operation) throw new ApiError('UnknownOperationException', `Unknown operation AWSStepFunctions.${request.operation}: this endpoint answers ${Object.keys(OPERATIONS).join(', ')}`);
    const result = await operation(new Params(request.body), service, request, gone);
    const afterSend = (result as { [AFTER_SEND]?: (sent: boolean) => void })[AFTER_SEND];
    if (res.writableEnded || res.destroyed || res.socket?.destroyed) {
      afterSend?.(false);
      return;
    }
    if (afterSend) res.once('close', () => afterSend(res.writableFinished));
    answer(res, result);
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('InternalFailure', `The local endpoint failed: ${(e as Error)?.stack ?? String(e)}`, 500);
    if (!res.headersSent && !res.destroyed) answerError(res, error);
  }
}

const OPTIONS = ['app', 'port', 'host', 'mocks', 's3', 'time', 'httpEndpoints', 'activityPollSeconds'];

/** Checks the options as a JavaScript caller may pass them: a wrong type or a misspelled name is refused, not ignored. */
function checkOptions(options: unknown): LocalStepFunctionsOptions {
  const fail = (what: string) => {
    throw new Error(`startLocalStepFunctions: ${what}`);
  };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail(`the options must be an object (got ${JSON.stringify(options)})`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTIONS.includes(key)) {
      const near = closest(key, OPTIONS);
      fail(`'${key}' is not an option${near ? ` (did you mean '${near}'?)` : ''}; the options are ${OPTIONS.join(', ')}`);
    }
  }
  const isString = (v: unknown) => typeof v === 'string' && v !== '';
  if (o.app !== undefined && !isString(o.app)) fail(`app must be the folder of a cloud assembly, such as 'cdk.out' (got ${JSON.stringify(o.app)})`);
  if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) >= 0 && (o.port as number) <= 65535)) {
    fail(`port must be a port number, 0 to 65535 (0 takes a free one) (got ${JSON.stringify(o.port)})`);
  }
  if (o.host !== undefined && !isString(o.host)) fail(`host must be an address such as '127.0.0.1' (got ${JSON.stringify(o.host)})`);
  if (o.time !== undefined && o.time !== 'real' && o.time !== 'virtual') fail(`time must be 'real' or 'virtual' (got ${JSON.stringify(o.time)})`);
  if (o.mocks !== undefined && !isString(o.mocks) && (typeof o.mocks !== 'object' || o.mocks === null || Array.isArray(o.mocks))) {
    fail(`mocks must be the path of a mocks file or its parsed content, an object (got ${JSON.stringify(o.mocks)})`);
  }
  if (o.s3 !== undefined && !isString(o.s3) && !(o.s3 instanceof LocalS3)) fail(`s3 must be a folder of buckets or a LocalS3 (got ${JSON.stringify(o.s3)})`);
  if (o.activityPollSeconds !== undefined && !(typeof o.activityPollSeconds === 'number' && o.activityPollSeconds > 0 && o.activityPollSeconds <= 60)) {
    fail(`activityPollSeconds must be a number of seconds, more than 0 and at most 60 (got ${JSON.stringify(o.activityPollSeconds)})`);
  }
  return o as LocalStepFunctionsOptions;
}

/** Starts a local Step Functions endpoint and resolves once it listens. */
export async function startLocalStepFunctions(given: LocalStepFunctionsOptions = {}): Promise<LocalStepFunctions> {
  const options = checkOptions(given);
  const app = options.app !== undefined ? path.resolve(options.app) : undefined;
  if (app !== undefined && !fs.existsSync(path.join(app, 'manifest.json'))) {
    throw new Error(`startLocalStepFunctions: no cloud assembly at ${options.app} (no manifest.json there): run 'cdk synth' first, or give its folder as app`);
  }
  // A folder of the app's buckets, named after their construct paths as the run command names them; what executions write goes back into it.
  const buckets = app !== undefined ? appBuckets(stackTemplates(app)) : [];
  const bucketOf = new Map(buckets.map(b => [b.folder, b.name]));
  const folderOf = new Map(buckets.map(b => [b.name, b.folder]));
  const s3Dir = typeof options.s3 === 'string' ? path.resolve(options.s3) : undefined;
  let s3: LocalS3 | undefined;
  try {
    s3 = s3Dir !== undefined ? LocalS3.fromFolder(s3Dir, undefined, folder => bucketOf.get(folder) ?? folder) : options.s3 as LocalS3 | undefined;
  } catch (e) {
    throw new Error(`startLocalStepFunctions: s3: ${(e as Error).message.replace(/^LocalS3.fromFolder: /, '')}`);
  }
  const service = new StepFunctionsService({
    assemblyDir: app,
    ...readMocks(options.mocks),
    s3,
    time: options.time ?? 'real',
    httpEndpoints: options.httpEndpoints !== undefined ? checkEndpoints(options.httpEndpoints, 'httpEndpoints') : undefined,
    activityPollSeconds: options.activityPollSeconds,
    onEnded: s3Dir !== undefined ? local => local.writeToFolder(s3Dir, bucket => folderOf.get(bucket) ?? bucket) : undefined,
  });
  const server: Server = createServer((req, res) => void handle(service, req, res));
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8083, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    endpoint,
    port,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, disableHostPrefix: true },
    service,
    stop: async () => {
      await service.close();
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}
