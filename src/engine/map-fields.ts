/**
 * Fields every Map state reads the same way, inline or distributed: its tolerated failures, and what it
 * says when its items are not an array.
 */
import { StatesError } from './errors';
import type { JsonataScope } from './jsonata';
import type { ExecutionContext as Execution, StateContext as StateRun } from './run-context';

/**
 * A Map state's tolerated failures (ToleratedFailurePercentage/Count, their Path forms, JSONata
 * expressions), read and checked as AWS does: a value that is not a number, or out of range, fails the
 * state with AWS's words. An inline Map reads them too (AWS accepts and evaluates them there) but,
 * as AWS documents tolerance for Distributed Map runs only, does not apply them.
 */
export async function readTolerance(
  ex: Execution, run: StateRun, state: any, effective: unknown, scope: JsonataScope | undefined,
): Promise<{ percent?: number; count?: number }> {
  const flow = ex.flow;
  const eval1 = async (value: unknown, field: string) => (scope && value !== undefined ? flow.template(value, field, scope) : value);
  const evalPath = (path: string | undefined, field: string) =>
    (path === undefined ? undefined : flow.required(path, field, run.pathScope(effective)));
  const quoted = (v: unknown) => `"${typeof v === 'string' ? v : JSON.stringify(v)}"`;
  // A number given as text ("1") is read as that number, as AWS does.
  const numeric = (v: unknown) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  const toleratedPercent: unknown = numeric(state.ToleratedFailurePercentagePath !== undefined
    ? evalPath(state.ToleratedFailurePercentagePath, 'ToleratedFailurePercentagePath') : await eval1(state.ToleratedFailurePercentage, 'ToleratedFailurePercentage'));
  const toleratedCount: unknown = numeric(state.ToleratedFailureCountPath !== undefined
    ? evalPath(state.ToleratedFailureCountPath, 'ToleratedFailureCountPath') : await eval1(state.ToleratedFailureCount, 'ToleratedFailureCount'));
  if (toleratedPercent !== undefined && typeof toleratedPercent !== 'number') {
    throw new StatesError('States.Runtime', `The ToleratedFailurePercentagePath field refers to value ${quoted(toleratedPercent)} which is not a valid float: ${state.ToleratedFailurePercentagePath}`);
  }
  if (toleratedPercent !== undefined && !((toleratedPercent as number) >= 0 && (toleratedPercent as number) <= 100)) {
    throw new StatesError('States.Runtime', 'ToleratedFailurePercentage must be between 0 and 100.');
  }
  if (toleratedCount !== undefined && !Number.isInteger(toleratedCount)) {
    throw new StatesError('States.Runtime', `The ToleratedFailureCountPath field refers to value ${quoted(toleratedCount)} which is not a valid integer: ${state.ToleratedFailureCountPath}`);
  }
  if (toleratedCount !== undefined && (toleratedCount as number) < 0) {
    throw new StatesError('States.Runtime', 'ToleratedFailureCount cannot be negative.');
  }
  return { percent: toleratedPercent as number | undefined, count: toleratedCount as number | undefined };
}

/**
 * A Map's items that are not an array, in AWS's words: in JSONata, 'Map state input must be an array but
 * was: 1' (recorded: test_map_state_items_input_types); in JSONPath, 'Reference path "$.items" must point
 * to array.', `$$` shown as `$` (recorded: test_state_map_context_object).
 */
export function notAnArray(value: unknown, itemsPath: string | undefined, jsonata: boolean): StatesError {
  if (jsonata) return new StatesError('States.QueryEvaluationError', `Map state input must be an array but was: ${JSON.stringify(value)}`, 'Items');
  return new StatesError('States.Runtime', `Reference path "${(itemsPath ?? '$').replace(/^\$\$/, '$')}" must point to array.`);
}

/**
 * Whether `failed` of `total` items (or batches) go past a Map's tolerance: past either threshold,
 * or any failure when it has neither.
 */
export function exceedsTolerance(failed: number, total: number, count: number | undefined, percentage: number | undefined): boolean {
  if (count === undefined && percentage === undefined) return failed > 0;
  return (count !== undefined && failed > count) || (percentage !== undefined && total > 0 && (failed * 100) / total > percentage);
}
