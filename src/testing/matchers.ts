/**
 * Matchers for local runs, for Jest and Vitest: `expect.extend(workflowMatchers)`.
 */
import { IConstruct } from 'constructs';
import type { Asl } from './asl';
import { plural } from './format';
import type { WorkflowRun } from './local-workflow';
import { validateAsl } from './local-workflow';

/** What a matcher returns (the shape Jest and Vitest expect). */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** The matchers `workflowMatchers` adds, for typing `expect(...)` (see docs/testing.md for Jest and Vitest). */
export interface WorkflowMatchers<R = unknown> {
  /** The run succeeded. */
  toHaveSucceeded(): R;
  /** The run failed with this error (and, when given, a cause that contains `cause` or matches it). */
  toHaveFailedWith(error: string, cause?: string | RegExp): R;
  /** The run entered exactly these states, in this order. */
  toHaveTakenPath(states: string[]): R;
  /** The run entered this state at least once. */
  toHaveEnteredState(state: string): R;
  /** The run took this many state transitions (as Step Functions bills them). */
  toHaveTransitions(count: number): R;
  /** The run called this state, Lambda function (construct) or resource ARN, `times` times when given, else at least once. */
  toHaveCalled(target: string | IConstruct, times?: number): R;
  /** The ASL document passes the definition checks of the local engine (`validateAsl`). */
  toBeValidAsl(): R;
}

function isRun(received: unknown): received is WorkflowRun {
  return typeof received === 'object' && received !== null && 'status' in received && Array.isArray((received as WorkflowRun).path);
}

function runOf(received: unknown, matcher: string): WorkflowRun {
  if (!isRun(received)) throw new Error(`${matcher}: expect() must be given a run (the result of runWorkflow or LocalWorkflow.run), got ${typeof received}`);
  return received;
}

const outcomeOf = (run: WorkflowRun) => run.status === 'SUCCEEDED'
  ? `it SUCCEEDED with output ${JSON.stringify(run.output)}`
  : `it ended ${run.status} with ${run.error}: ${run.cause}`;
const pathOf = (run: WorkflowRun) => `path: ${run.path.join(' → ')}`;

/** The matchers: `expect.extend(workflowMatchers)` once (a Jest or Vitest setup file). */
export const workflowMatchers = {
  toHaveSucceeded(received: unknown): MatcherResult {
    const run = runOf(received, 'toHaveSucceeded');
    const pass = run.status === 'SUCCEEDED';
    return { pass, message: () => `expected the run ${pass ? 'not ' : ''}to succeed, but ${outcomeOf(run)}\n${pathOf(run)}` };
  },

  toHaveFailedWith(received: unknown, error: string, cause?: string | RegExp): MatcherResult {
    const run = runOf(received, 'toHaveFailedWith');
    const causeMatches = cause === undefined || (typeof cause === 'string' ? (run.cause ?? '').includes(cause) : cause.test(run.cause ?? ''));
    const pass = run.status === 'FAILED' && run.error === error && causeMatches;
    const wanted = `${error}${cause === undefined ? '' : ` (cause ${typeof cause === 'string' ? `containing '${cause}'` : `matching ${cause}`})`}`;
    return { pass, message: () => `expected the run ${pass ? 'not ' : ''}to fail with ${wanted}, but ${outcomeOf(run)}\n${pathOf(run)}` };
  },

  toHaveTakenPath(received: unknown, states: string[]): MatcherResult {
    const run = runOf(received, 'toHaveTakenPath');
    const pass = JSON.stringify(run.path) === JSON.stringify(states);
    const firstDifference = states.findIndex((s, i) => run.path[i] !== s);
    return {
      pass,
      message: () => pass
        ? `expected the run not to take the path ${states.join(' → ')}`
        : `expected the path ${states.join(' → ')}\n     got the path ${run.path.join(' → ')}`
          + (firstDifference >= 0 ? `\n(state ${firstDifference + 1}: expected '${states[firstDifference]}', got '${run.path[firstDifference] ?? '(none)'}')` : ''),
    };
  },

  toHaveEnteredState(received: unknown, state: string): MatcherResult {
    const run = runOf(received, 'toHaveEnteredState');
    const pass = run.path.includes(state);
    return { pass, message: () => `expected the run ${pass ? 'not ' : ''}to enter '${state}'\n${pathOf(run)}` };
  },

  toHaveTransitions(received: unknown, count: number): MatcherResult {
    const run = runOf(received, 'toHaveTransitions');
    const pass = run.transitions === count;
    return { pass, message: () => `expected ${pass ? 'not ' : ''}${count} state transitions, got ${run.transitions} (${plural(run.path.length, 'state')} entered, ${plural(run.retries.length, 'retry', 'retries')})\n${pathOf(run)}` };
  },

  toHaveCalled(received: unknown, target: string | IConstruct, times?: number): MatcherResult {
    const run = runOf(received, 'toHaveCalled');
    const calls = run.callsTo(target).length;
    const pass = times === undefined ? calls > 0 : calls === times;
    const name = typeof target === 'string' ? `'${target}'` : target.node.path;
    const wanted = times === undefined ? 'at least once' : `${times} time(s)`;
    const called = [...new Set(run.calls.map(c => c.state))].join(', ') || 'nothing';
    return { pass, message: () => `expected ${name} ${pass ? 'not ' : ''}to be called ${wanted}, it was called ${calls} time(s) (tasks called: ${called})` };
  },

  toBeValidAsl(received: unknown): MatcherResult {
    const problems = validateAsl(received as Asl);
    const pass = problems.length === 0;
    return { pass, message: () => pass ? 'expected the ASL not to be valid, but it is' : `expected valid ASL, found:\n  ${problems.join('\n  ')}` };
  },
};
