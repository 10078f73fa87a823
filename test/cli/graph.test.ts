import { traceOf } from '../../src/testing/execution';
import { conditionOf, graphOf, GraphError, takenPath, WorkflowGraph } from '../../src/testing/graph';
import { runLocally } from '../../src/testing/local-execution';

/** Every state type, Parallel with a nested Map, Map with a legacy Iterator, Catch and Default. */
const ASL = {
  StartAt: 'Check',
  States: {
    'Check': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'FunctionName': 'arn:aws:lambda:us-east-1:123456789012:function:Check', 'Payload.$': '$' },
      Catch: [{ ErrorEquals: ['Invalid', 'States.Timeout'], Next: 'Rejected' }],
      Next: 'Route',
    },
    'Route': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.total', NumericGreaterThan: 100, Next: 'Hold' },
        { And: [{ Variable: '$.kind', StringEquals: 'gift' }, { Not: { Variable: '$.note', IsPresent: true } }], Next: 'Fan out' },
      ],
      Default: 'Per item',
    },
    'Hold': { Type: 'Wait', Seconds: 30, Next: 'Done' },
    'Fan out': {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Tag', States: { Tag: { Type: 'Pass', Result: 1, End: true } } },
        {
          StartAt: 'Each line',
          States: {
            'Each line': {
              Type: 'Map',
              ItemsPath: '$.lines',
              ItemProcessor: { StartAt: 'Price line', States: { 'Price line': { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', End: true } } },
              End: true,
            },
          },
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rejected' }],
      Next: 'Done',
    },
    'Per item': {
      Type: 'Map',
      Iterator: { StartAt: 'Skip', States: { Skip: { Type: 'Succeed' } } },
      Next: 'Done',
    },
    'Done': { Type: 'Succeed' },
    'Rejected': { Type: 'Fail', Error: 'Rejected', Cause: 'no' },
  },
};

const node = (g: WorkflowGraph, state: string) => g.nodes.find(n => n.kind === 'state' && n.state === state)!;
const join = (g: WorkflowGraph, state: string) => g.nodes.find(n => n.kind === 'join' && n.state === state)!;
const edgesFrom = (g: WorkflowGraph, id: string) => g.edges
  .filter(e => e.from === id)
  .map(e => ({ to: g.nodes.find(n => n.id === e.to)!, kind: e.kind, label: e.label }));
const groupOf = (g: WorkflowGraph, state: string) => g.groups.find(x => x.id === node(g, state).group);

describe('graphOf', () => {
  const g = graphOf(ASL);

  test('draws every state once, with its type, nested ones included', () => {
    const states = g.nodes.filter(n => n.kind === 'state').map(n => [n.state, n.type]);
    expect(states).toEqual([
      ['Check', 'Task'], ['Route', 'Choice'], ['Hold', 'Wait'], ['Fan out', 'Parallel'], ['Tag', 'Pass'],
      ['Each line', 'Map'], ['Price line', 'Task'], ['Per item', 'Map'], ['Skip', 'Succeed'], ['Done', 'Succeed'], ['Rejected', 'Fail'],
    ]);
    expect(new Set(g.nodes.map(n => n.id)).size).toBe(g.nodes.length);
  });

  test('describes tasks by their resource, waits by their time, fails by their error', () => {
    expect(node(g, 'Check').detail).toBe('lambda Check');
    expect(node(g, 'Price line').detail).toBe('dynamodb:getItem');
    expect(node(g, 'Hold').detail).toBe('30 s');
    expect(node(g, 'Rejected').detail).toBe('Rejected');
  });

  test('marks Succeed and Fail states terminal, and nothing else', () => {
    expect(g.nodes.filter(n => n.kind === 'state' && n.terminal).map(n => n.state)).toEqual(['Skip', 'Done', 'Rejected']);
  });

  test('starts at StartAt and labels Choice rules with their condition, then Default', () => {
    expect(edgesFrom(g, 'n_start')).toEqual([{ to: node(g, 'Check'), kind: 'start', label: undefined }]);
    expect(edgesFrom(g, node(g, 'Route').id)).toEqual([
      { to: node(g, 'Hold'), kind: 'choice', label: '$.total > 100' },
      { to: g.nodes.find(n => n.state === 'Fan out' && n.kind === 'state'), kind: 'choice', label: '$.kind == "gift" and not ($.note is present)' },
      { to: node(g, 'Per item'), kind: 'default', label: 'Default' },
    ]);
  });

  test('labels Catch edges with the errors they handle', () => {
    expect(edgesFrom(g, node(g, 'Check').id)).toEqual([
      { to: node(g, 'Route'), kind: 'next', label: undefined },
      { to: node(g, 'Rejected'), kind: 'catch', label: 'catch Invalid, States.Timeout' },
    ]);
  });

  test('draws a Parallel state as a group: the state, one group per branch, a join its Next and Catch leave from', () => {
    const parallel = groupOf(g, 'Fan out')!;
    expect(parallel).toMatchObject({ kind: 'parallel', label: 'Fan out (Parallel)', parent: undefined });
    expect(groupOf(g, 'Tag')).toMatchObject({ kind: 'branch', label: 'Branch 1', parent: parallel.id });
    const branch2 = g.groups.find(x => x.label === 'Branch 2' && x.parent === parallel.id)!;
    expect(groupOf(g, 'Each line')).toMatchObject({ kind: 'map', parent: branch2.id });
    expect(edgesFrom(g, node(g, 'Fan out').id).map(e => [e.to.state, e.kind])).toEqual([['Tag', 'start'], ['Each line', 'start']]);
    expect(edgesFrom(g, node(g, 'Tag').id)).toEqual([{ to: join(g, 'Fan out'), kind: 'end', label: undefined }]);
    expect(edgesFrom(g, join(g, 'Fan out').id).map(e => [e.to.state, e.kind, e.label])).toEqual([
      ['Done', 'next', undefined], ['Rejected', 'catch', 'catch States.ALL'],
    ]);
  });

  test('draws a Map state as a group around its item processor (ItemProcessor or the legacy Iterator)', () => {
    expect(groupOf(g, 'Price line')).toMatchObject({ kind: 'map', label: 'Each line (Map)' });
    expect(node(g, 'Each line').detail).toBe('$.items'.replace('items', 'lines'));
    expect(edgesFrom(g, node(g, 'Price line').id)).toEqual([{ to: join(g, 'Each line'), kind: 'end', label: undefined }]);
    expect(edgesFrom(g, join(g, 'Each line').id)).toEqual([{ to: join(g, 'Fan out'), kind: 'end', label: undefined }]);
    expect(groupOf(g, 'Skip')).toMatchObject({ kind: 'map', label: 'Per item (Map)' });
    expect(edgesFrom(g, node(g, 'Skip').id)).toEqual([{ to: join(g, 'Per item'), kind: 'end', label: undefined }]);
  });

  test('ends a top-level Succeed state at End; a Fail state has no way out', () => {
    expect(edgesFrom(g, node(g, 'Done').id).map(e => e.to.id)).toEqual(['n_end']);
    expect(edgesFrom(g, node(g, 'Rejected').id)).toEqual([]);
  });

  test('leaves End out when every path ends in a Fail state', () => {
    const failing = graphOf({ StartAt: 'No', States: { No: { Type: 'Fail' } } });
    expect(failing.nodes.map(n => n.id)).toEqual(['n_start', 's1']);
  });

  test('fails when a transition goes to a state that does not exist', () => {
    expect(() => graphOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } }))
      .toThrow(new GraphError("state 'A' in the state machine goes to 'B', which is not a state there (states: A)"));
    expect(() => graphOf({ StartAt: 'X', States: { A: { Type: 'Succeed' } } })).toThrow(/StartAt 'X' of the state machine is not a state there/);
  });
});

describe('conditionOf', () => {
  test.each([
    [{ Variable: '$.a', StringEquals: 'x' }, '$.a == "x"'],
    [{ Variable: '$.a', NumericLessThanEquals: 3 }, '$.a <= 3'],
    [{ Variable: '$.a', NumericGreaterThanEqualsPath: '$.b' }, '$.a >= $.b'],
    [{ Variable: '$.a', BooleanEquals: false }, '$.a == false'],
    [{ Variable: '$.at', TimestampLessThan: '2026-01-01T00:00:00Z' }, '$.at < "2026-01-01T00:00:00Z"'],
    [{ Variable: '$.f', StringMatches: '*.csv' }, '$.f matches "*.csv"'],
    [{ Variable: '$.a', IsPresent: false }, '$.a is not present'],
    [{ Variable: '$.a', IsNumeric: true }, '$.a is a number'],
    [{ Or: [{ Variable: '$.a', IsNull: true }, { And: [{ Variable: '$.b', StringEquals: 'y' }, { Variable: '$.c', NumericEquals: 1 }] }] }, '$.a is null or ($.b == "y" and $.c == 1)'],
    [{ Condition: '{% $states.input.total > 100 %}' }, '{% $states.input.total > 100 %}'],
  ])('renders %j as %s', (rule, text) => {
    expect(conditionOf(rule)).toBe(text);
  });
});

describe('takenPath', () => {
  test('highlights the states entered and the edges an execution followed, a Catch only when taken', () => {
    const g = graphOf(ASL);
    const taken = takenPath(g, {
      entered: ['Check', 'Route', 'Fan out', 'Tag', 'Each line', 'Price line', 'Rejected'],
      exited: ['Check', 'Route', 'Tag', 'Each line', 'Price line'],
      catches: [{ state: 'Fan out', next: 'Rejected' }],
    });
    const names = (ids: Iterable<string>) => [...ids].map(id => g.nodes.find(n => n.id === id)!).map(n => `${n.kind}:${n.state ?? n.label}`).sort();
    expect(names(taken.nodes)).toEqual([
      'join:Each line', 'start:Start', 'state:Check', 'state:Each line', 'state:Fan out', 'state:Price line', 'state:Rejected', 'state:Route', 'state:Tag',
    ].sort());
    const edges = [...taken.edges].map(i => g.edges[i]).map(e => `${names([e.from])[0]} -> ${names([e.to])[0]} (${e.kind})`);
    expect(edges.sort()).toEqual([
      'join:Fan out -> state:Rejected (catch)',
      'join:Each line -> join:Fan out (end)',
      'start:Start -> state:Check (start)',
      'state:Check -> state:Route (next)',
      'state:Each line -> state:Price line (start)',
      'state:Fan out -> state:Each line (start)',
      'state:Fan out -> state:Tag (start)',
      'state:Price line -> join:Each line (end)',
      'state:Route -> state:Fan out (choice)',
      'state:Tag -> join:Fan out (end)',
    ].sort());
  });

  test('lights only the Catch taken, not the other catches of the same state', () => {
    const g = graphOf({
      StartAt: 'Charge',
      States: {
        'Charge': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Catch: [{ ErrorEquals: ['Declined'], Next: 'Tell customer' }, { ErrorEquals: ['States.ALL'], Next: 'Alert' }],
          End: true,
        },
        'Tell customer': { Type: 'Succeed' },
        'Alert': { Type: 'Fail', Error: 'ChargeFailed' },
      },
    });
    const taken = takenPath(g, { entered: ['Charge', 'Tell customer'], exited: ['Tell customer'], catches: [{ state: 'Charge', next: 'Tell customer' }] });
    const catches = g.edges.map((e, i) => ({ to: g.nodes.find(n => n.id === e.to)!.state, kind: e.kind, taken: taken.edges.has(i) })).filter(e => e.kind === 'catch');
    expect(catches).toEqual([
      { to: 'Tell customer', kind: 'catch', taken: true },
      { to: 'Alert', kind: 'catch', taken: false },
    ]);
  });

  // A rule's target that later reaches the Default's target: both ends of the Default edge are
  // entered, but the run never went that way.
  const BIG_ORDERS = {
    QueryLanguage: 'JSONPath',
    StartAt: 'Big?',
    States: {
      'Big?': { Type: 'Choice', Choices: [{ Variable: '$.total', NumericGreaterThan: 100, Next: 'Review' }], Default: 'Record' },
      'Review': { Type: 'Pass', Next: 'Record' },
      'Record': { Type: 'Pass', End: true },
    },
  };

  test.each([
    [{ total: 500 }, ['Big? -> Review (choice)', 'Record -> End (end)', 'Review -> Record (next)', 'Start -> Big? (start)']],
    [{ total: 5 }, ['Big? -> Record (default)', 'Record -> End (end)', 'Start -> Big? (start)']],
  ])('a Choice lights the rule that matched, not its Default reached later (input %j)', async (input, expected) => {
    const g = graphOf(BIG_ORDERS);
    const result = await runLocally(BIG_ORDERS, { input });
    const taken = takenPath(g, traceOf(result));
    const label = (id: string) => g.nodes.find(n => n.id === id)!.label;
    expect([...taken.edges].map(i => g.edges[i]).map(e => `${label(e.from)} -> ${label(e.to)} (${e.kind})`).sort()).toEqual(expected);
  });
});
