/**
 * `cdk-workflow-patterns`: draws and runs the state machines of a synthesized CDK app, offline.
 *
 *   cdk-workflow-patterns diagram [--app cdk.out] [--out workflow-diagrams]
 *   cdk-workflow-patterns run STATE_MACHINE [--input FILE] [--mocks FILE] [--app cdk.out] [--report FILE] [--s3 DIR] ...
 *   cdk-workflow-patterns serve [--app cdk.out] [--port 8083] [--mocks FILE] [--s3 DIR] [--time real|virtual] ...
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { appBuckets, AssemblyStateMachine, findStateMachine as findInAssembly, pathSlug, stackTemplates, stateMachinesIn } from '../src/testing/assembly';
import { formatUsd, perMillion } from '../src/testing/cost';
import { startLocalStepFunctions } from '../src/testing/endpoint/server';
import { execute, Execution, ExecuteOptions, historyTable, logLines, readableCause } from '../src/testing/execution';
import { plural } from '../src/testing/format';
import { CodeLoadError, FunctionSandboxError } from '../src/testing/function-sandbox';
import { graphOf } from '../src/testing/graph';
import { checkEndpoints } from '../src/testing/http';
import { allStates, EngineLimitationError, HarnessError, LocalS3, MissingHandlerError } from '../src/testing/local-execution';
import { toMermaid } from '../src/testing/mermaid';
import { MocksError, parseMocks } from '../src/testing/mocks';
import { renderReport } from '../src/testing/report';
import { toSvg } from '../src/testing/svg';

export const USAGE = `Usage: cdk-workflow-patterns <command> [options]

Draw, run and serve the Step Functions state machines of a synthesized CDK app (cdk synth), offline.

Commands:
  diagram [--app DIR] [--out DIR]
      An SVG and a Mermaid flowchart (.mmd) of every state machine in the cloud assembly.
  run STATE_MACHINE [--input FILE] [--mocks FILE] [--app DIR] [--report FILE]
                    [--s3 DIR] [--http URL=LOCAL]... [--json FILE] [--logs] [--memory MB]
                    [--duration MS]
      Runs a state machine locally, prints its execution history and its output, and writes
      an HTML report (the path taken, the history, state transitions, estimated cost).
      STATE_MACHINE: its construct path (MyStack/Orders), logical id, or a construct id
      that only it has on its path (Orders).
  serve [--app DIR] [--port N] [--host ADDRESS] [--mocks FILE] [--s3 DIR] [--time real|virtual]
        [--http URL=LOCAL]...
      A local Step Functions endpoint for any AWS SDK or the AWS CLI
      (aws stepfunctions --endpoint-url http://127.0.0.1:8083 ...), with the app's state
      machines there at start; it runs until stopped (Ctrl-C).

Options:
  --app DIR        the cloud assembly (default: cdk.out)
  --out DIR        diagram: where to write the files (default: workflow-diagrams)
  --input FILE     run: the execution input, JSON (default: {})
  --mocks FILE     run: task results, errors and callback decisions, JSON (see docs/cli.md);
                   serve: the same, or Step Functions Local's mock configuration file
  --report FILE    run: the HTML report (default: <state machine>.<time>.report.html, a new
                   file for each run)
  --s3 DIR         run, serve: a local S3, one folder per bucket of the app, named after the bucket's
                   construct path (MyStack/Orders/Results: MyStack-Orders-Results); folders that
                   are missing are empty buckets, and what the run writes (result files) is
                   written back into the folder
  --http URL=LOCAL run, serve: send the HTTP tasks' requests to URL (and under it) to LOCAL, an address
                   on this machine (--http https://api.example.com=http://127.0.0.1:8080); give
                   it once for each API; a request to a URL not given stops the execution
  --port N         serve: the port (default: 8083)
  --host ADDRESS   serve: the address to listen on (default: 127.0.0.1, this machine only)
  --time MODE      serve: real (a Wait of 2 s takes 2 s; the default) or virtual (waits and
                   timeouts take no time while nothing waits for an answer from outside)
  --json FILE      run: the result for scripts and CI (status, output, error, cause,
                   transitions, history events, map runs), JSON
  --logs           run: print what the functions' code printed (the report always has it)
  --memory MB      run: Express cost, the memory billed (default: 64)
  --duration MS    run: Express cost, the duration billed (default: the local run's)
  -h, --help       this text

Exit status: 0 done (run: the execution succeeded), 1 an error, 2 run: the execution failed.`;

/** A mistake in the command line or its files: printed without a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Where relative paths start. */
  readonly cwd: string;
}

const defaultIo: Io = { out: line => console.log(line), err: line => console.error(line), cwd: process.cwd() };

/** A file-system-safe name for a state machine: its construct path with `/` as `-`. */
export function slugOf(machine: AssemblyStateMachine): string {
  return pathSlug(machine.path);
}

/**
 * A report file of its own for each run: `<state machine>.<time>.report.html` in `cwd`, with `-2`,
 * `-3`... when a run of the same second already wrote one.
 */
export function uniqueReportFile(cwd: string, machine: AssemblyStateMachine, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
  for (let n = 1; ; n++) {
    const file = path.join(cwd, `${slugOf(machine)}.${stamp}${n > 1 ? `-${n}` : ''}.report.html`);
    if (!fs.existsSync(file)) return file;
  }
}

/** The state machines of an assembly, with a clear error when there is no assembly. */
export function loadStateMachines(assemblyDir: string, shownAs = assemblyDir): AssemblyStateMachine[] {
  if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
    throw new CliError(`no cloud assembly at ${shownAs} (no manifest.json there): run 'cdk synth' first, or give its folder with --app`);
  }
  const machines = stateMachinesIn(assemblyDir);
  if (machines.length === 0) throw new CliError(`the cloud assembly at ${shownAs} has no state machine`);
  return machines;
}

/** The state machine a name designates: construct path, logical id, or a construct id only it has on its path. */
export function findStateMachine(machines: AssemblyStateMachine[], name: string, assemblyDir: string): AssemblyStateMachine {
  try {
    return findInAssembly(machines, name, assemblyDir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new CliError(`${what} file ${file} does not exist`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${what} file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes `<slug>.svg` and `<slug>.mmd` for every state machine; returns the files written. */
export function writeDiagrams(machines: AssemblyStateMachine[], outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const machine of machines) {
    const graph = graphOf(machine.asl);
    const base = path.join(outDir, slugOf(machine));
    fs.writeFileSync(`${base}.svg`, toSvg(graph, { title: machine.path }));
    fs.writeFileSync(`${base}.mmd`, toMermaid(graph));
    written.push(`${base}.svg`, `${base}.mmd`);
  }
  return written;
}

/** Writes the HTML report of an execution. */
export function writeReport(execution: Execution, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderReport(execution));
}

/** The run's mocks checked against the definition: a mocked state must be a Task state of it. */
function checkMockedStates(machine: AssemblyStateMachine, options: ExecuteOptions, mocksFile: string): void {
  const tasks = allStates(machine.asl).filter(s => s.state.Type === 'Task').map(s => s.name);
  for (const [section, names] of [['states', Object.keys(options.states ?? {})], ['callbacks', Object.keys(options.callbacks ?? {})]] as const) {
    for (const name of names) {
      if (!tasks.includes(name)) {
        throw new CliError(`${mocksFile}: ${section}["${name}"] is not a Task state of ${machine.path} (Task states: ${tasks.join(', ') || 'none'})`);
      }
    }
  }
}

function summary(execution: Execution): string[] {
  const { result, cost } = execution;
  const outcome = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : `${result.status} (${result.error}: ${readableCause(result.cause)})`;
  return [
    `${execution.machine.path}: ${outcome}`,
    `${result.transitions} state transitions; estimated cost ${formatUsd(cost.usd)} per execution (${perMillion(cost)} per million, ${execution.kind === 'EXPRESS' ? 'Express' : 'Standard'})`,
  ];
}

function number(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${option} must be a positive number (got '${value}')`);
  return n;
}

/** Where the Distributed Maps of a run wrote their results (the bucket and key of each manifest). */
function writtenResults(execution: Execution): Array<{ bucket: string; key: string }> {
  const out = new Map<string, { bucket: string; key: string }>();
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    const details = (value as any).ResultWriterDetails;
    if (details && typeof details.Bucket === 'string' && typeof details.Key === 'string') out.set(`${details.Bucket}/${details.Key}`, { bucket: details.Bucket, key: details.Key });
    for (const v of Object.values(value)) visit(v);
  };
  for (const s of execution.result.states) if (s.type === 'Map') visit(s.output);
  return [...out.values()];
}

/** The output of an execution for the terminal: indented JSON, cut after 60 lines. */
function outputText(output: unknown, jsonFile: string | undefined): string {
  const lines = (JSON.stringify(output, null, 2) ?? 'null').split('\n');
  const MAX = 60;
  if (lines.length <= MAX) return lines.join('\n');
  return `${lines.slice(0, MAX).join('\n')}\n… ${lines.length - MAX} more lines (${jsonFile !== undefined ? `the whole output is in ${jsonFile}` : 'give --json FILE for the whole output'}; the report has it too)`;
}

/** The --http pairs (`https://api.example.com=http://127.0.0.1:8080`) as the toolkit's httpEndpoints, checked. */
function httpEndpointsOf(pairs: string[]): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new CliError(`--http ${pair}: give the API's URL and the local address it goes to, such as --http https://api.example.com=http://127.0.0.1:8080`);
    }
    endpoints[pair.slice(0, at)] = pair.slice(at + 1);
  }
  try {
    return checkEndpoints(endpoints, '--http') as Record<string, string>;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      app: { type: 'string', default: 'cdk.out' },
      input: { type: 'string' },
      mocks: { type: 'string' },
      report: { type: 'string' },
      memory: { type: 'string' },
      duration: { type: 'string' },
      s3: { type: 'string' },
      json: { type: 'string' },
      logs: { type: 'boolean', default: false },
      http: { type: 'string', multiple: true },
    },
  });
  if (positionals.length !== 1) throw new CliError(`run takes one state machine (got ${positionals.length === 0 ? 'none' : positionals.join(' ')})\n\n${USAGE}`);
  const assemblyDir = path.resolve(io.cwd, values.app!);
  const machine = findStateMachine(loadStateMachines(assemblyDir, values.app), positionals[0], values.app!);
  const input = values.input === undefined ? {} : readJson(path.resolve(io.cwd, values.input), 'input');
  let mocks = { states: {}, resources: {}, callbacks: {} };
  if (values.mocks !== undefined) {
    try {
      mocks = parseMocks(readJson(path.resolve(io.cwd, values.mocks), 'mocks'), values.mocks);
    } catch (e) {
      if (e instanceof MocksError) throw new CliError(`malformed mocks file ${e.message}`);
      throw e;
    }
  }
  // With --s3, each bucket of the app is the folder named after its construct path (MyStack/Orders/Results:
  // MyStack-Orders-Results), and a folder of another name is a bucket of that name; execute() creates the rest, empty.
  const buckets = appBuckets(stackTemplates(assemblyDir));
  const bucketOfFolder = new Map(buckets.map(b => [b.folder, b.name]));
  const folderOfBucket = new Map(buckets.map(b => [b.name, b.folder]));
  let s3 = new LocalS3();
  if (values.s3 !== undefined) {
    try {
      s3 = LocalS3.fromFolder(path.resolve(io.cwd, values.s3), undefined, folder => bucketOfFolder.get(folder) ?? folder);
    } catch (e) {
      throw new CliError(`--s3 ${values.s3}: ${(e as Error).message.replace(/^LocalS3.fromFolder: /, '')}`);
    }
  }
  const options: ExecuteOptions = {
    input,
    ...mocks,
    s3,
    memoryMb: number(values.memory, '--memory'),
    durationMs: number(values.duration, '--duration'),
    httpEndpoints: httpEndpointsOf(values.http ?? []),
  };
  if (values.mocks !== undefined) checkMockedStates(machine, options, values.mocks);

  let execution: Execution;
  try {
    execution = await execute(assemblyDir, machine, options);
  } catch (e) {
    if (e instanceof MissingHandlerError) {
      throw new CliError(e.missing === 'callback'
        ? `state '${e.state}' waits for a task token (${e.resource}) and has no decision: add "callbacks": { "${e.state}": { "success": {...} } } (or "failure") to the mocks file`
        : `state '${e.state}' has no mock (resource ${e.resource}${e.resourceKey !== e.resource ? `, function ${e.resourceKey}` : ''}, with no code that runs offline): add "states": { "${e.state}": { "result": ... } } or "resources": { "${e.resourceKey}": { "result": ... } } to the mocks file`);
    }
    if (e instanceof EngineLimitationError) throw new CliError(`engine limitation: ${machine.path} cannot be run locally: ${e.message}`);
    if (e instanceof CodeLoadError || e instanceof FunctionSandboxError || e instanceof HarnessError) throw new CliError(e.message);
    throw e;
  }
  const report = values.report !== undefined ? path.resolve(io.cwd, values.report) : uniqueReportFile(io.cwd, machine);
  writeReport(execution, report);
  io.out(historyTable(execution.history));
  io.out('');
  if (execution.logs.length > 0 && values.logs) {
    io.out(`what the functions printed (${plural(execution.logs.length, 'line')}):`);
    for (const line of logLines(execution)) io.out(`  ${line}`);
    io.out('');
  } else if (execution.logs.length > 0) {
    io.out(`the functions printed ${plural(execution.logs.length, 'line')}: --logs shows them (the report has them)`);
    io.out('');
  }
  for (const line of summary(execution)) io.out(line);
  if (execution.result.status === 'SUCCEEDED') io.out(`output: ${outputText(execution.result.output, values.json)}`);
  for (const run of execution.result.mapRuns) {
    const c = run.itemCounts;
    io.out(`map run of '${run.state}': ${plural(c.total, 'item')} (${c.succeeded} succeeded, ${c.failed + c.timedOut} failed, ${c.aborted + c.pending} not run) in ${plural(run.executions.length, `${run.executionType} child execution`)}`);
  }
  for (const { bucket, key } of writtenResults(execution)) {
    const folder = folderOfBucket.get(bucket) ?? bucket;
    io.out(`results: s3://${bucket}/${key}${values.s3 !== undefined ? ` (${path.join(values.s3, folder, key)})` : ' (give --s3 DIR to keep them)'}`);
  }
  if (values.s3 !== undefined) s3.writeToFolder(path.resolve(io.cwd, values.s3), bucket => folderOfBucket.get(bucket) ?? bucket);
  if (values.json !== undefined) {
    const r = execution.result;
    const mapRuns = r.mapRuns.map(m => ({ mapRunArn: m.mapRunArn, state: m.state, itemCounts: m.itemCounts, executionCounts: m.executionCounts }));
    const json = { status: r.status, output: r.output, error: r.error, cause: r.cause, transitions: r.transitions, events: r.events, mapRuns };
    fs.writeFileSync(path.resolve(io.cwd, values.json), `${JSON.stringify(json, null, 2)}\n`);
  }
  io.out(`report: ${path.relative(io.cwd, report) || report}`);
  return execution.result.status === 'SUCCEEDED' ? 0 : 2;
}

function diagramCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { app: { type: 'string', default: 'cdk.out' }, out: { type: 'string', default: 'workflow-diagrams' } },
  });
  if (positionals.length > 0) throw new CliError(`diagram takes no argument (got ${positionals.join(' ')})`);
  const machines = loadStateMachines(path.resolve(io.cwd, values.app!), values.app);
  for (const file of writeDiagrams(machines, path.resolve(io.cwd, values.out!))) io.out(path.relative(io.cwd, file) || file);
  return 0;
}

/** The variables that hold AWS credentials, or point at them. */
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

/** `serve`: the local endpoint, until SIGINT or SIGTERM (or `until` resolves, for tests). */
export async function serveCommand(args: string[], io: Io, until?: Promise<void>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      app: { type: 'string' },
      port: { type: 'string', default: '8083' },
      host: { type: 'string', default: '127.0.0.1' },
      mocks: { type: 'string' },
      s3: { type: 'string' },
      time: { type: 'string', default: 'real' },
      http: { type: 'string', multiple: true },
    },
  });
  if (positionals.length > 0) throw new CliError(`serve takes no argument (got ${positionals.join(' ')})`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, 0 to 65535 (got '${values.port}')`);
  if (values.time !== 'real' && values.time !== 'virtual') throw new CliError(`--time must be real or virtual (got '${values.time}')`);
  // cdk.out by default when there is one; without an app, the endpoint holds what CreateStateMachine creates.
  const appDir = values.app ?? (fs.existsSync(path.join(io.cwd, 'cdk.out', 'manifest.json')) ? 'cdk.out' : undefined);
  if (appDir !== undefined) loadStateMachines(path.resolve(io.cwd, appDir), appDir);
  let sfn;
  try {
    sfn = await startLocalStepFunctions({
      app: appDir !== undefined ? path.resolve(io.cwd, appDir) : undefined,
      port,
      host: values.host,
      mocks: values.mocks !== undefined ? path.resolve(io.cwd, values.mocks) : undefined,
      s3: values.s3 !== undefined ? path.resolve(io.cwd, values.s3) : undefined,
      time: values.time,
      httpEndpoints: httpEndpointsOf(values.http ?? []),
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: give another with --port`);
    throw new CliError((e as Error).message.replace(/^startLocalStepFunctions: /, ''));
  }
  const local = ['127.0.0.1', 'localhost', '::1'].includes(values.host!);
  io.out(`Step Functions endpoint: ${sfn.endpoint} (${local ? 'this machine only' : `reachable from other machines at ${values.host}`}; in memory; ${values.time} time)`);
  const machines = [...sfn.service.machines.values()];
  io.out(appDir !== undefined ? `${plural(machines.length, 'state machine')} of ${appDir}:` : 'no cloud assembly (cdk.out): state machines come from CreateStateMachine');
  for (const m of machines) io.out(`  ${m.arn}  (${m.path}, ${m.type})`);
  io.out(`try: aws stepfunctions --endpoint-url ${sfn.endpoint} list-state-machines`);
  const credentials = CREDENTIAL_VARIABLES.filter(v => process.env[v] !== undefined);
  if (credentials.length > 0) {
    io.err(`note: this shell has AWS credentials in its environment (${credentials.join(', ')}). The functions' code runs with a sealed environment `
      + 'of its own and cannot read this one through process.env or /proc, but it runs inside this process: code written to escape (a child '
      + `process reading this process's environment) could still find them. To be sure, start the endpoint without them: env ${credentials.map(v => `-u ${v}`).join(' ')} npx cdk-workflow-patterns serve`);
  }
  await (until ?? new Promise<void>(resolve => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  }));
  await sfn.stop();
  io.out('stopped');
  return 0;
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 1 : 0;
    }
    if (rest.includes('-h') || rest.includes('--help')) {
      io.out(USAGE);
      return 0;
    }
    if (command === 'diagram') return diagramCommand(rest, io);
    if (command === 'run') return await runCommand(rest, io);
    if (command === 'serve') return await serveCommand(rest, io);
    throw new CliError(`unknown command '${command}' (commands: diagram, run, serve)\n\n${USAGE}`);
  } catch (e) {
    const known = e instanceof CliError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`cdk-workflow-patterns: ${known ? (e as Error).message : (e as Error).stack ?? String(e)}`);
    return 1;
  }
}
