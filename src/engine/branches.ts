/**
 * The states that run other states: a Parallel state's branches and an inline Map's iterations, each
 * a thread of its own in the run's virtual time, with their events as AWS records them. (A
 * Distributed Map's runs are in ./distributed-map.)
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 */
import { typeName } from './data-flow';
import { Graph } from './definition';
import { StateFailure, StatesError } from './errors';
import type { JsonataScope } from './jsonata';
import { notAnArray, readTolerance } from './map-fields';
import type { ExecutionContext, StateContext, Thread } from './run-context';
import { Aborted } from './scheduler';

const TOLERANCE_FIELDS = ['ToleratedFailureCount', 'ToleratedFailurePercentage', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];

/** A Parallel state: every branch on the same input; its result is their outputs in order. */
export async function runParallel(
  ex: ExecutionContext, run: StateContext, state: any, effective: unknown, scope: JsonataScope | undefined,
): Promise<unknown> {
  const s = state;
  const flow = ex.flow;
  let branchInput = effective;
  if (scope) branchInput = s.Arguments === undefined ? run.input : await flow.template(s.Arguments, 'Arguments', scope);
  else if (s.Parameters !== undefined) branchInput = flow.payloadTemplate(s.Parameters, 'Parameters', run.pathScope(effective));
  ex.history.add(run.currentThread, 'ParallelStateStarted', {});
  const startedId = run.currentThread.lastEventId;
  const group = run.currentThread.scope.child();
  const branches = (s.Branches as Graph[]).map((branch, index) => ({ branch, index, scopeOf: group.child() }));
  let failed: StateFailure | undefined;
  const settled = await ex.sched.all(branches.map(({ branch, index, scopeOf }) => async () => {
    const thread: Thread = { scope: scopeOf, variables: run.currentThread.variables.child(), lastEventId: startedId, index, parent: run.stateName };
    try {
      return await ex.runGraph(branch, branchInput, thread, run.language);
    } catch (e) {
      if (e instanceof StateFailure && !failed) {
        failed = e;
        group.abort();
      }
      throw e;
    }
  }));
  group.release();
  if (run.currentThread.scope.aborted) throw new Aborted();
  if (failed) {
    // ParallelStateFailed is recorded once, when no retry follows (withRetryAndCatch).
    run.branchFailure = (failed as StateFailure).error;
    throw run.branchFailure;
  }
  for (const r of settled) if (r.status === 'rejected' && !(r.reason instanceof Aborted)) throw r.reason;
  ex.history.add(run.currentThread, 'ParallelStateSucceeded', {});
  return settled.map(r => (r as PromiseFulfilledResult<unknown>).value);
}

/** An inline Map: each item (ItemSelector applied) through the item processor, MaxConcurrency at a time; the results in order. */
export async function runInlineMap(
  ex: ExecutionContext, run: StateContext, state: any, effective: unknown, scope: JsonataScope | undefined,
): Promise<unknown> {
  const s = state;
  const flow = ex.flow;
  let items: unknown;
  let maxConcurrency: unknown = s.MaxConcurrency ?? 0;
  if (scope) {
    items = s.Items === undefined ? run.input : await flow.template(s.Items, 'Items', scope);
    if (!Array.isArray(items) && s.Items !== undefined) {
      throw new StatesError('States.QueryEvaluationError',
        `The JSONata expression '${String(s.Items).replace(/^\s*\{%\s*|\s*%\}\s*$/g, '')}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${typeName(items)}' for value: ${JSON.stringify(items)}`, 'Items');
    }
    if (typeof s.MaxConcurrency === 'string') maxConcurrency = await flow.template(s.MaxConcurrency, 'MaxConcurrency', scope);
  } else {
    items = s.ItemsPath !== undefined ? flow.required(s.ItemsPath, 'ItemsPath', run.pathScope(effective)) : effective;
    if (s.MaxConcurrencyPath !== undefined) maxConcurrency = flow.required(s.MaxConcurrencyPath, 'MaxConcurrencyPath', run.pathScope(effective));
  }
  if (!Array.isArray(items)) {
    throw notAnArray(items, s.ItemsPath, scope !== undefined);
  }
  if (typeof maxConcurrency === 'string' && /^\d+$/.test(maxConcurrency)) maxConcurrency = Number(maxConcurrency);
  if (!(Number.isInteger(maxConcurrency) && (maxConcurrency as number) >= 0)) {
    const shown = `"${typeof maxConcurrency === 'string' ? maxConcurrency : JSON.stringify(maxConcurrency)}"`;
    throw new StatesError('States.Runtime', s.MaxConcurrencyPath !== undefined
      ? `The MaxConcurrencyPath field refers to value ${shown} which is not a valid integer: ${s.MaxConcurrencyPath}`
      : `The MaxConcurrency field refers to value ${shown} which is not a valid integer`);
  }
  const processor: Graph = s.ItemProcessor ?? s.Iterator;
  const selector = s.ItemSelector ?? s.Parameters;
  const inputs: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const mapItem = { Index: i, Value: items[i] };
    if (selector === undefined) inputs.push(items[i]);
    else if (scope) inputs.push(await flow.template(selector, 'ItemSelector', run.scopeFor({}, { Map: { Item: mapItem } })));
    else inputs.push(flow.payloadTemplate(selector, 'ItemSelector', run.pathScope(effective, { Map: { Item: mapItem } })));
  }
  ex.history.add(run.currentThread, 'MapStateStarted', { mapStateStartedEventDetails: { length: items.length } });
  // Tolerated failures on an inline Map: read and checked as AWS does, not applied (AWS documents them for
  // Distributed Map runs only, and no recorded inline run shows them tolerating a failure).
  if (TOLERANCE_FIELDS.some(f => s[f] !== undefined)) await readTolerance(ex, run, s, effective, scope);
  const startedId = run.currentThread.lastEventId;
  const group = run.currentThread.scope.child();
  const limit = (maxConcurrency as number) === 0 ? inputs.length : (maxConcurrency as number);
  let failed: StateFailure | undefined;
  let failedInner: number | undefined;
  let nextIndex = 0;
  // AWS links an iteration's start to the last event inside the iteration before it.
  let lastInner = startedId;
  const results: unknown[] = new Array(inputs.length);
  const iteration = async (index: number) => {
    const iterationScope = group.child();
    const thread: Thread = {
      scope: iterationScope, variables: run.currentThread.variables.child(), lastEventId: lastInner, index, parent: run.stateName,
    };
    const details = { mapIterationStartedEventDetails: { name: run.stateName, index } };
    ex.history.add(thread, 'MapIterationStarted', details);
    try {
      results[index] = await ex.runGraph(processor, inputs[index], thread, run.language);
      lastInner = thread.lastEventId;
      ex.history.add(thread, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: run.stateName, index } });
    } catch (e) {
      if (e instanceof StateFailure) {
        if (!failed) failedInner = thread.lastEventId;
        ex.history.add(thread, 'MapIterationFailed', { mapIterationFailedEventDetails: { name: run.stateName, index } });
        if (!failed) {
          failed = e;
          group.abort();
        }
      } else if (e instanceof Aborted) {
        ex.history.add(thread, 'MapIterationAborted', { mapIterationAbortedEventDetails: { name: run.stateName, index } });
      }
      throw e;
    } finally {
      iterationScope.release();
    }
  };
  // MaxConcurrency: each worker runs iterations one after the other, in index order.
  const worker = async () => {
    while (nextIndex < inputs.length && !group.aborted) {
      await iteration(nextIndex++);
    }
  };
  const settled = await ex.sched.all(Array.from({ length: Math.min(limit, inputs.length) }, () => worker));
  group.release();
  if (run.currentThread.scope.aborted) throw new Aborted();
  run.currentThread.lastEventId = ex.history.events.length;
  if (failed) {
    // MapStateFailed is recorded once, when no retry follows, linked to the failing iteration's last event.
    run.currentThread.lastEventId = failedInner ?? run.currentThread.lastEventId;
    run.branchFailure = (failed as StateFailure).error;
    throw run.branchFailure;
  }
  for (const r of settled) if (r.status === 'rejected' && !(r.reason instanceof Aborted)) throw r.reason;
  // AWS links MapStateExited to the same event as MapStateSucceeded.
  const before = run.currentThread.lastEventId;
  ex.history.add(run.currentThread, 'MapStateSucceeded', {});
  run.currentThread.lastEventId = before;
  return results;
}
