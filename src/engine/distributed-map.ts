/**
 * Distributed Map: items read from S3 (or the state input), selected, batched, each item or batch run
 * as a child execution (Express or Standard, with its own history), failures tolerated up to a
 * threshold, and results written back to S3 where Step Functions writes them.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
import type { Graph } from './definition';
import { StatesError } from './errors';
import { batch, readerFailed, readItems } from './item-reader';
import type { JsonataScope } from './jsonata';
import { exceedsTolerance, notAnArray, readTolerance } from './map-fields';
import type { ExecutionContext as Execution, StateContext as StateRun } from './run-context';
import { Aborted } from './scheduler';
import type { ExecutionResult, ExecutionType, MapRunRecord } from './types';

const MAX_CONCURRENCY = 10_000;

interface ChildSummary {
  readonly index: number;
  readonly input: unknown;
  /** How many items the child runs (a batch's size, or 1). */
  readonly items: number;
  result?: ExecutionResult;
  aborted?: boolean;
  /** Virtual start and end, in ms. */
  start?: number;
  end?: number;
}

/** Runs a Distributed Map state: returns its result (before ResultSelector/ResultPath or Output). */
export async function runDistributedMap(
  ex: Execution, run: StateRun, state: any, effective: unknown, scope: JsonataScope | undefined,
): Promise<unknown> {
  const flow = ex.flow;
  const name = run.stateName;
  const eval1 = async (value: unknown, field: string) => (scope ? flow.template(value, field, scope) : value);
  const evalPath = (path: string | undefined, field: string) =>
    (path === undefined ? undefined : flow.required(path, field, run.pathScope(effective)));

  // 1. The items: from the state input now, or from S3 once the map run has started.
  const thread = run.currentThread;
  let items: unknown[] = [];
  if (!state.ItemReader) {
    const value = scope
      ? (state.Items === undefined ? run.input : await flow.template(state.Items, 'Items', scope))
      : (state.ItemsPath !== undefined ? flow.required(state.ItemsPath, 'ItemsPath', run.pathScope(effective)) : effective);
    if (!Array.isArray(value)) {
      throw notAnArray(value, state.ItemsPath, scope !== undefined);
    }
    items = value;
  }
  ex.history.add(thread, 'MapStateStarted', { mapStateStartedEventDetails: { length: state.ItemReader ? 0 : items.length } });

  // 2. ItemSelector, then batches (computed once the items are known).
  const readerItems = async (): Promise<unknown[]> => {
    const reader = state.ItemReader;
    const parameters = scope
      ? await flow.template(reader.Arguments ?? {}, 'ItemReader/Arguments', scope)
      : flow.payloadTemplate(reader.Parameters ?? {}, 'ItemReader/Parameters', run.pathScope(effective));
    const config = reader.ReaderConfig ?? {};
    if (maxItems !== undefined && (maxItems as number) < 0) throw readerFailed('field MaxItems must be positive');
    return readItems(ex.s3, reader.Resource, parameters, config, maxItems as number | undefined);
  };
  const prepare = async (all: unknown[]): Promise<unknown[]> => {
    const selector = state.ItemSelector ?? state.Parameters;
    const selected: unknown[] = [];
    for (let i = 0; i < all.length; i++) {
      const mapItem = { Map: { Item: { Index: i, Value: all[i] } } };
      if (selector === undefined) selected.push(all[i]);
      else if (scope) selected.push(await flow.template(selector, 'ItemSelector', run.scopeFor({}, mapItem)));
      else selected.push(flow.payloadTemplate(selector, 'ItemSelector', run.pathScope(effective, mapItem)));
    }
    if (state.ItemBatcher) {
      const b = state.ItemBatcher;
      const integer = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
      const maxItems = integer(b.MaxItemsPerBatchPath !== undefined ? evalPath(b.MaxItemsPerBatchPath, 'MaxItemsPerBatchPath') : await eval1(b.MaxItemsPerBatch, 'ItemBatcher/MaxItemsPerBatch'));
      const maxBytes = integer(b.MaxInputBytesPerBatchPath !== undefined ? evalPath(b.MaxInputBytesPerBatchPath, 'MaxInputBytesPerBatchPath') : await eval1(b.MaxInputBytesPerBatch, 'ItemBatcher/MaxInputBytesPerBatch'));
      for (const [field, v] of [['MaxItemsPerBatch', maxItems], ['MaxInputBytesPerBatch', maxBytes]] as const) {
        if (v !== undefined && !(Number.isInteger(v) && (v as number) > 0)) throw new StatesError('States.Runtime', `The ${field} field refers to value ${JSON.stringify(v)}, which is not a positive integer.`);
      }
      if (maxBytes !== undefined && (maxBytes as number) > 262_144) throw new StatesError('States.Runtime', 'MaxInputBytesPerBatch must be at most 262144 (256 KiB).');
      const batchInput = b.BatchInput === undefined ? undefined
        : scope ? await flow.template(b.BatchInput, 'ItemBatcher/BatchInput', scope) : flow.payloadTemplate(b.BatchInput, 'BatchInput', run.pathScope(effective));
      return batch(selected, maxItems as number | undefined, maxBytes as number | undefined, batchInput);
    }
    return selected;
  };

  // 3. MaxItems, concurrency and tolerance: a bad path value fails the state before any map run.
  const quoted = (v: unknown) => `"${typeof v === 'string' ? v : JSON.stringify(v)}"`;
  const readerConfig = state.ItemReader?.ReaderConfig ?? {};
  let maxItems: unknown = readerConfig.MaxItemsPath !== undefined ? evalPath(readerConfig.MaxItemsPath, 'MaxItemsPath') : await eval1(readerConfig.MaxItems, 'ReaderConfig/MaxItems');
  if (typeof maxItems === 'string' && /^-?\d+$/.test(maxItems)) maxItems = Number(maxItems);
  if (maxItems !== undefined && !Number.isInteger(maxItems)) {
    throw new StatesError('States.Runtime', `The MaxItemsPath field refers to value ${quoted(maxItems)} which is not a valid integer: ${readerConfig.MaxItemsPath ?? 'MaxItems'}`);
  }
  // A number given as text ("1") is read as that number, as AWS does.
  const numeric = (v: unknown) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  let maxConcurrency: unknown = state.MaxConcurrency ?? 0;
  if (state.MaxConcurrencyPath !== undefined) maxConcurrency = numeric(evalPath(state.MaxConcurrencyPath, 'MaxConcurrencyPath'));
  else if (typeof state.MaxConcurrency === 'string') maxConcurrency = await eval1(state.MaxConcurrency, 'MaxConcurrency');
  if (!(Number.isInteger(maxConcurrency) && (maxConcurrency as number) >= 0)) {
    throw new StatesError('States.Runtime', `The MaxConcurrencyPath field refers to value ${quoted(maxConcurrency)} which is not a valid integer: ${state.MaxConcurrencyPath ?? 'MaxConcurrency'}`);
  }
  const { percent: toleratedPercent, count: toleratedCount } = await readTolerance(ex, run, state, effective, scope);

  // 4. The map run.
  const processor: Graph = state.ItemProcessor;
  const { ProcessorConfig: config, ...childDefinition } = processor;
  const childGraph: Graph = { ...(run.language === 'JSONata' && !childDefinition.QueryLanguage ? { QueryLanguage: 'JSONata' } : {}), ...childDefinition } as Graph;
  const executionType: ExecutionType = config?.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const label = state.Label ?? name;
  const machine = ex.stateMachineArn.split(':').pop();
  const runId = ex.random.uuid();
  const mapRunArn = `arn:aws:states:${ex.region}:${ex.account}:mapRun:${machine}/${label}:${runId}`;
  const childMachineArn = `arn:aws:states:${ex.region}:${ex.account}:stateMachine:${machine}/${label}`;
  const runStartedId = ex.history.add(thread, 'MapRunStarted', { mapRunStartedEventDetails: { mapRunArn } });
  const failRun = (e: StatesError): never => {
    ex.history.add(thread, 'MapRunFailed', { mapRunFailedEventDetails: { error: e.error, cause: e.causeText } });
    run.branchFailure = e;
    throw e;
  };
  let inputs: unknown[];
  try {
    if (state.ItemReader) items = await readerItems();
    inputs = await prepare(items);
  } catch (e) {
    if (e instanceof StatesError && e.error === 'States.ItemReaderFailed') failRun(e);
    throw e;
  }

  const group = thread.scope.child();
  const limit = Math.min((maxConcurrency as number) === 0 ? MAX_CONCURRENCY : (maxConcurrency as number), Math.max(inputs.length, 1));
  const children: ChildSummary[] = inputs.map((input, index) => ({
    index, input, items: state.ItemBatcher ? ((input as { Items: unknown[] }).Items.length) : 1,
  }));
  const startDate = new Date(ex.sched.now);
  let next = 0;
  let failed = 0;
  let exceeded = false;
  const tolerance = () => exceedsTolerance(failed, inputs.length, toleratedCount as number | undefined, toleratedPercent as number | undefined);
  const keepHistories = ex.options.limits?.childHistories ?? 1000;
  const worker = async () => {
    // The workers start one after another at the map run's first instant (deferred): one whose child
    // takes no virtual time runs it to its end before the next starts. Each worker's first child
    // starts at that instant, as AWS starts them all at once: if the run failed earlier in the same
    // instant, the child still runs to its end, in a scope of its own, as it would have in AWS.
    let first = true;
    while (next < children.length && (!group.aborted || (first && !thread.scope.aborted))) {
      const scopeOfChild = group.aborted ? thread.scope.child() : group;
      first = false;
      const child = children[next++];
      const childId = ex.random.uuid();
      const executionArn = executionType === 'EXPRESS'
        ? `arn:aws:states:${ex.region}:${ex.account}:express:${machine}/${label}:${runId}:${childId}`
        : `arn:aws:states:${ex.region}:${ex.account}:execution:${machine}/${label}:${childId}`;
      child.start = ex.sched.now;
      try {
        const options = { input: child.input, type: executionType, executionName: childId };
        const result = await ex.child(childGraph, options, scopeOfChild, executionArn, childMachineArn);
        // Past the first children, only the outcome stays: the map run's memory is what its results need.
        child.result = child.index < keepHistories ? result : { ...result, events: [], states: [], children: [], mapRuns: [], historyDropped: true };
        if (child.result.status !== 'SUCCEEDED') {
          failed++;
          if (!exceeded && tolerance()) {
            exceeded = true;
            group.abort();
          }
        }
      } catch (e) {
        if (!(e instanceof Aborted)) throw e;
        child.aborted = true;
      } finally {
        child.end = ex.sched.now;
        if (scopeOfChild !== group) scopeOfChild.release();
      }
    }
  };
  const settled = await ex.sched.all(Array.from({ length: inputs.length === 0 ? 0 : limit }, () => worker), true);
  group.release();
  for (const r of settled) if (r.status === 'rejected' && !(r.reason instanceof Aborted)) throw r.reason;
  if (thread.scope.aborted) throw new Aborted();

  const executions = children.filter(c => c.result).map(c => c.result!);
  const count = (weight: (c: ChildSummary) => number) => {
    const sum = (test: (c: ChildSummary) => boolean) => children.filter(test).reduce((n, c) => n + weight(c), 0);
    return {
      total: sum(() => true),
      succeeded: sum(c => c.result?.status === 'SUCCEEDED'),
      failed: sum(c => c.result?.status === 'FAILED'),
      timedOut: sum(c => c.result?.status === 'TIMED_OUT'),
      aborted: sum(c => !!c.aborted),
      pending: sum(c => !c.result && !c.aborted),
    };
  };

  // 5. Results.
  let written: { Bucket: string; Key: string } | undefined;
  const writer = state.ResultWriter;
  if (writer && (writer.Resource !== undefined || writer.Parameters !== undefined || writer.Arguments !== undefined)) {
    try {
      written = await writeResults(ex, run, state, effective, scope, runId, mapRunArn, childMachineArn, children);
    } catch (e) {
      if (e instanceof StatesError) failRun(e);
      throw e;
    }
  }
  const record: MapRunRecord = {
    mapRunArn,
    state: name,
    executionType,
    status: exceeded ? 'FAILED' : 'SUCCEEDED',
    itemCounts: count(c => c.items),
    executionCounts: count(() => 1),
    resultsWritten: written ? count(c => c.items).total - count(c => c.items).pending : 0,
    executions,
    maxConcurrentExecutions: Math.min(limit, mostAtOnce(children)),
    startDate,
    stopDate: new Date(ex.sched.now),
    maxConcurrency: maxConcurrency as number,
    toleratedFailureCount: (toleratedCount as number | undefined) ?? 0,
    toleratedFailurePercentage: (toleratedPercent as number | undefined) ?? 0,
  };
  ex.mapRuns.push(record);
  if (exceeded) {
    ex.history.add(thread, 'MapRunFailed', { mapRunFailedEventDetails: { error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded' } });
    run.branchFailure = new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    throw run.branchFailure;
  }
  ex.history.add(thread, 'MapRunSucceeded', {});
  ex.history.add(thread, 'MapStateSucceeded', {});
  // AWS links MapStateExited to MapRunStarted.
  thread.lastEventId = runStartedId;
  if (written) return { MapRunArn: mapRunArn, ResultWriterDetails: written };
  const outputs = children.map(c => c.result?.output ?? null);
  // A WriterConfig alone shapes the state's output instead of a file.
  return writer?.WriterConfig?.Transformation === 'FLATTEN' ? outputs.flatMap(o => (Array.isArray(o) ? o : [o])) : outputs;
}

/**
 * How many children ran at once in virtual time. A child that took no time counts at its instant
 * with every other child there; one that ended at an instant does not overlap one that started then.
 */
function mostAtOnce(children: ChildSummary[]): number {
  const changes: Array<[number, number]> = [];
  for (const c of children) {
    if (c.start === undefined || c.end === undefined) continue;
    // At one instant: ends of children that took time, then starts, then ends of children that took none.
    changes.push([c.start * 3 + 1, 1], [c.end * 3 + (c.end > c.start ? 0 : 2), -1]);
  }
  changes.sort((a, b) => a[0] - b[0]);
  let now = 0;
  let most = 0;
  for (const [, delta] of changes) {
    now += delta;
    most = Math.max(most, now);
  }
  return most;
}

/** What a child execution looks like in a result file (DescribeExecution's shape). */
function described(child: ChildSummary, machineArn: string): Record<string, unknown> {
  const r = child.result;
  const base: Record<string, unknown> = {
    ExecutionArn: r?.executionArn,
    Input: JSON.stringify(child.input),
    InputDetails: { Included: true },
    Name: r?.executionArn.split(':').pop(),
    StartDate: r?.startDate.toISOString(),
    StateMachineArn: machineArn,
    Status: child.aborted ? 'ABORTED' : r?.status ?? 'PENDING',
    StopDate: r?.stopDate.toISOString(),
  };
  if (r?.status === 'SUCCEEDED') return { ...base, Output: JSON.stringify(r.output), OutputDetails: { Included: true } };
  return { ...base, ...(r?.error !== undefined ? { Error: r.error } : {}), ...(r?.cause !== undefined ? { Cause: r.cause } : {}) };
}

async function writeResults(
  ex: Execution, run: StateRun, state: any, effective: unknown, scope: JsonataScope | undefined,
  runId: string, mapRunArn: string, machineArn: string, children: ChildSummary[],
): Promise<{ Bucket: string; Key: string }> {
  const writer = state.ResultWriter;
  const parameters: any = scope
    ? await ex.flow.template(writer.Arguments ?? {}, 'ResultWriter/Arguments', scope)
    : ex.flow.payloadTemplate(writer.Parameters ?? {}, 'ResultWriter/Parameters', run.pathScope(effective));
  const bucket = parameters?.Bucket;
  if (typeof bucket !== 'string' || !ex.s3.hasBucket(bucket)) {
    throw new StatesError('States.ResultWriterFailed', `The specified bucket does not exist (Service: S3, Status Code: 404, Error Code: NoSuchBucket): ${String(bucket)}`);
  }
  const prefix = parameters.Prefix ? `${String(parameters.Prefix).replace(/\/$/, '')}/` : '';
  const folder = `${prefix}${runId}/`;
  const outputType = writer.WriterConfig?.OutputType ?? 'JSON';
  const transformation = writer.WriterConfig?.Transformation ?? 'NONE';
  const shape = (c: ChildSummary): unknown => {
    if (transformation === 'NONE') return described(c, machineArn);
    const r = c.result;
    if (r?.status === 'SUCCEEDED') return r.output;
    return { Error: r?.error, Cause: r?.cause };
  };
  const groups: Record<string, ChildSummary[]> = {
    SUCCEEDED: children.filter(c => c.result?.status === 'SUCCEEDED'),
    FAILED: children.filter(c => c.aborted || (c.result && c.result.status !== 'SUCCEEDED')),
    PENDING: children.filter(c => !c.result && !c.aborted),
  };
  const files: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const [status, list] of Object.entries(groups)) {
    if (list.length === 0) continue;
    let values = list.map(shape);
    if (transformation === 'FLATTEN') values = values.flatMap(v => (Array.isArray(v) ? v : [v]));
    const extension = outputType === 'JSONL' ? 'jsonl' : 'json';
    const body = outputType === 'JSONL' ? values.map(v => JSON.stringify(v)).join('\n') + '\n' : JSON.stringify(values);
    const key = `${folder}${status}_0.${extension}`;
    ex.s3.putObject(bucket, key, body, new Date(ex.sched.now));
    files[status].push({ Key: key, Size: Buffer.byteLength(body, 'utf8') });
  }
  const manifestKey = `${folder}manifest.json`;
  const manifest = { DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files };
  ex.s3.putObject(bucket, manifestKey, JSON.stringify(manifest), new Date(ex.sched.now));
  return { Bucket: bucket, Key: manifestKey };
}
