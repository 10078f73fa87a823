/**
 * Properties over generated definitions: the engine never crashes on a valid definition, a seed
 * gives the same history every time, and the history and the transitions agree.
 */
import { ExecutionResult, TaskError, execute } from '../../src/engine';

/** A small deterministic generator (mulberry32). */
function generator(seed: number) {
  let state = seed >>> 0; // eslint-disable-line no-bitwise
  const next = () => {
    /* eslint-disable no-bitwise */
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    /* eslint-enable no-bitwise */
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] };
}

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:work';
type Gen = ReturnType<typeof generator>;

/** A chain of `length` states named `${prefix}n`, ending in the last one; JSONPath or JSONata. */
function chain(g: Gen, prefix: string, length: number, jsonata: boolean, depth: number): { StartAt: string; States: Record<string, any> } {
  const states: Record<string, any> = {};
  const name = (i: number) => `${prefix}${i}`;
  for (let i = 0; i < length; i++) {
    const last = i === length - 1;
    const flow = last ? { End: true } : { Next: name(i + 1) };
    const kind = g.pick(depth > 1 ? ['Pass', 'Wait', 'Task', 'Choice'] : ['Pass', 'Wait', 'Task', 'Choice', 'Parallel', 'Map']);
    switch (kind) {
      case 'Pass':
        states[name(i)] = jsonata
          ? { Type: 'Pass', Assign: { [`v${i}`]: '{% $states.input.n %}' }, Output: '{% $merge([$states.input, {"n": $states.input.n + 1}]) %}', ...flow }
          : { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)', 'items.$': '$.items' }, ...flow };
        break;
      case 'Wait':
        states[name(i)] = { Type: 'Wait', Seconds: g.int(120), ...flow };
        break;
      case 'Task':
        states[name(i)] = {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          ...(jsonata
            ? { Arguments: { FunctionName: FN, Payload: '{% $states.input %}' }, Output: '{% $states.result.Payload %}' }
            : { Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, OutputPath: '$.Payload' }),
          Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1 + g.int(5), MaxAttempts: g.int(3), BackoffRate: 2, JitterStrategy: g.pick(['FULL', 'NONE']) }],
          ...(last ? { End: true } : { Next: name(i + 1), Catch: [{ ErrorEquals: ['States.ALL'], Next: name(i + 1), ...(jsonata ? { Output: '{% $states.input %}' } : { ResultPath: null }) }] }),
        };
        break;
      case 'Choice': {
        const target = last ? `${prefix}end` : name(i + 1);
        if (last) states[target] = { Type: 'Succeed' };
        states[name(i)] = jsonata
          ? { Type: 'Choice', Choices: [{ Condition: `{% $states.input.n > ${g.int(5)} %}`, Next: target }], Default: target }
          : { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: g.int(5), Next: target }], Default: target };
        break;
      }
      case 'Parallel':
        states[name(i)] = {
          Type: 'Parallel',
          Branches: [chain(g, `${prefix}${i}a`, 1 + g.int(3), jsonata, depth + 1), chain(g, `${prefix}${i}b`, 1 + g.int(3), jsonata, depth + 1)],
          ...(jsonata ? { Output: '{% $states.result[0] %}' } : { OutputPath: '$[0]' }),
          ...flow,
        };
        break;
      case 'Map':
        states[name(i)] = {
          Type: 'Map',
          MaxConcurrency: g.int(3),
          ...(jsonata
            ? { Items: '{% $states.input.items %}', ItemSelector: { n: '{% $states.context.Map.Item.Value %}', items: [] }, Output: '{% $states.input %}' }
            : { ItemsPath: '$.items', ItemSelector: { 'n.$': '$$.Map.Item.Value', 'items': [] }, ResultPath: null }),
          ItemProcessor: chain(g, `${prefix}${i}m`, 1 + g.int(3), jsonata, depth + 1),
          ...flow,
        };
        break;
    }
  }
  return { StartAt: name(0), States: states };
}

function definitionFor(seed: number) {
  const g = generator(seed);
  const jsonata = g.next() < 0.5;
  const graph = chain(g, 's', 2 + g.int(6), jsonata, 0);
  return { ...(jsonata ? { QueryLanguage: 'JSONata' } : {}), ...graph };
}

function run(seed: number): Promise<ExecutionResult> {
  const g = generator(seed * 31 + 7);
  const failures = new Map<number, number>();
  return execute(definitionFor(seed), {
    input: { n: 0, items: [1, 2, 3].slice(0, 1 + (seed % 3)) },
    startTime: new Date('2024-01-01T00:00:00Z'),
    seed,
    tasks: {
      [FN]: req => {
        const roll = g.next();
        failures.set(req.attempt, (failures.get(req.attempt) ?? 0) + 1);
        if (roll < 0.2) throw new TaskError('Transient', 'try again');
        if (roll < 0.3) throw new TaskError('Permanent', 'no');
        return req.input;
      },
    },
  });
}

const SEEDS = Array.from({ length: 120 }, (_, i) => i + 1);

test('generated definitions run to an end, never crash, and replay identically under their seed', async () => {
  for (const seed of SEEDS) {
    const first = await run(seed);
    expect(['SUCCEEDED', 'FAILED']).toContain(first.status);
    const second = await run(seed);
    expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
    expect(second.output).toEqual(first.output);

    // The history is well formed: ids in order, each linked to an earlier event.
    first.events.forEach((e, i) => {
      expect(e.id).toBe(i + 1);
      expect(e.previousEventId).toBeLessThan(e.id);
    });
    // Transitions as billed: every state entered plus every retry, and each entered state has its event.
    const entered = first.events.filter(e => e.type.endsWith('StateEntered')).length;
    const retries = first.states.reduce((n, s) => n + s.retries.length, 0);
    expect(first.transitions).toBe(entered + retries);
    expect(first.states).toHaveLength(entered);
    // Time never runs backwards.
    const times = first.events.map(e => (e.timestamp as Date).getTime());
    times.slice(1).forEach((t, i) => expect(t).toBeGreaterThanOrEqual(times[i]));
  }
});

test('the generator covers both query languages and every state type it knows', () => {
  const kinds = new Set<string>();
  const languages = new Set<string>();
  const visit = (g: { States: Record<string, any> }) => {
    for (const s of Object.values(g.States)) {
      kinds.add(s.Type);
      (s.Branches ?? []).forEach(visit);
      if (s.ItemProcessor) visit(s.ItemProcessor);
    }
  };
  for (const seed of SEEDS) {
    const d = definitionFor(seed);
    languages.add((d as any).QueryLanguage ?? 'JSONPath');
    visit(d);
  }
  expect([...languages].sort()).toEqual(['JSONPath', 'JSONata']);
  expect([...kinds].sort()).toEqual(['Choice', 'Map', 'Parallel', 'Pass', 'Succeed', 'Task', 'Wait']);
});
