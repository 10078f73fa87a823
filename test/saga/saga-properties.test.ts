/**
 * A property of the Saga, over every number of steps from 1 to 10 and every failing step, in both
 * query languages: the compensations that run are exactly those of the completed steps (plus the
 * failing step's own, when it declares it), in reverse order, and the rolled-back cause says so.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LANGUAGES, importedFunction, newStack } from './order-saga';
import { Saga, SagaStep } from '../../src';
import { aslOf } from '../support/asl';
import { TaskFailure, allStates, runLocally } from '../support/local-execution';

/** A small deterministic generator (mulberry32), so that every run checks the same cases. */
function generator(seed: number) {
  let state = seed >>> 0; // eslint-disable-line no-bitwise
  return () => {
    /* eslint-disable no-bitwise */
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    /* eslint-enable no-bitwise */
  };
}

interface Shape {
  readonly name: string;
  /** Whether step k has a compensation. */
  readonly hasCompensation: boolean[];
  /** Whether step k's own compensation runs when its action fails. */
  readonly own: boolean[];
}

/** For n steps: every step compensated and none declaring its own; every step compensated, some declaring; some without compensation. */
function shapes(n: number): Shape[] {
  const random = generator(1000 + n);
  const all = Array(n).fill(true);
  const some = all.map(() => random() < 0.5);
  const withoutSome = all.map(() => random() < 0.7);
  return [
    { name: 'all compensated', hasCompensation: all, own: Array(n).fill(false) },
    { name: 'some declare their own', hasCompensation: all, own: some },
    { name: 'some without compensation', hasCompensation: withoutSome, own: withoutSome.map(c => c && random() < 0.5) },
  ];
}

/** What the property says must be undone, in order, when step `failing` fails. */
function expectedUndone(shape: Shape, failing: number): number[] {
  const from = shape.own[failing] ? failing : failing - 1;
  const out: number[] = [];
  for (let k = from; k >= 0; k--) if (shape.hasCompensation[k]) out.push(k);
  return out;
}

function build(queryLanguage: sfn.QueryLanguage, shape: Shape) {
  const stack = newStack();
  const steps = shape.hasCompensation.map((compensated, k) => SagaStep.lambda(`Step ${k}`, {
    action: importedFunction(stack, `do-${k}`),
    compensation: compensated ? importedFunction(stack, `undo-${k}`) : undefined,
    compensateFailedAction: shape.own[k],
  }));
  const saga = new Saga(stack, 'Saga', { queryLanguage, steps });
  const machine = new sfn.StateMachine(stack, 'M', {
    definitionBody: sfn.DefinitionBody.fromChainable(saga),
    queryLanguage: queryLanguage === sfn.QueryLanguage.JSONATA ? queryLanguage : undefined,
  });
  return aslOf(stack, machine);
}

describe.each(LANGUAGES)('in %s, for 1 to 10 steps and every failing step', (_language, queryLanguage) => {
  const cases = Array.from({ length: 10 }, (_, i) => i + 1).flatMap(n => shapes(n).map(shape => [n, shape.name, shape] as const));

  test.each(cases)('%i steps, %s', async (n, _name, shape) => {
    const asl = build(queryLanguage, shape);
    const tasks = new Set(allStates(asl).filter(s => s.state.Type === 'Task').map(s => s.name));
    // A compensation that can never run is not in the definition.
    for (let k = 0; k < n; k++) {
      const reachable = shape.hasCompensation[k] && (k < n - 1 || shape.own[k]);
      expect(tasks.has(`Step ${k}: undo`)).toBe(reachable);
    }
    for (let failing = -1; failing < n; failing++) {
      const actions: number[] = [];
      const undone: number[] = [];
      const states: Record<string, () => unknown> = {};
      for (let k = 0; k < n; k++) {
        states[`Step ${k}`] = () => {
          actions.push(k);
          if (k === failing) throw new TaskFailure('StepFailed', `step ${k}`);
          return {};
        };
        if (tasks.has(`Step ${k}: undo`)) states[`Step ${k}: undo`] = () => { undone.push(k); return {}; };
      }
      const run = await runLocally(asl, { input: { id: 1 }, states, seed: n });
      if (failing < 0) {
        expect(run.status).toBe('SUCCEEDED');
        expect(actions).toEqual(Array.from({ length: n }, (_, k) => k));
        expect(undone).toEqual([]);
        continue;
      }
      const expected = expectedUndone(shape, failing);
      expect(actions).toEqual(Array.from({ length: failing + 1 }, (_, k) => k));
      expect(undone).toEqual(expected);
      if (!shape.own[failing] && shape.hasCompensation.every(Boolean)) {
        // Exactly the completed steps, in reverse order.
        expect(undone).toEqual(Array.from({ length: failing }, (_, k) => failing - 1 - k));
      }
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('SagaRolledBack');
      expect(run.cause).toBe(`Step ${failing} failed (StepFailed); undone: ${JSON.stringify(expected.map(k => `Step ${k}`))}`);
    }
  });
});
