import { sampleWorkflow } from './sample-workflow';
import { aslOf, arnOf } from '../support/asl';
import {
  EngineLimitationError, HarnessError, TaskFailure, itemProcessorOf, runLocally,
} from '../support/local-execution';

function throttle(): never {
  throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate exceeded');
}

function setup() {
  const w = sampleWorkflow();
  const asl = aslOf(w.stack, w.stateMachine);
  const resources = {
    [arnOf(w.validateFn)]: (order: any) => ({ ...order, valid: true }),
    [arnOf(w.processFn)]: (item: any) => ({ item, done: true }),
    'arn:aws:states:::sns:publish': () => ({ MessageId: 'm-1' }),
    [arnOf(w.approveFn)]: () => ({ StatusCode: 200 }),
  };
  return { ...w, asl, resources };
}

describe('runLocally on Task -> Choice -> Map -> Parallel', () => {
  test('runs the happy path, reporting output, path and transitions', async () => {
    const { asl, resources } = setup();
    const result = await runLocally(asl, {
      input: { orderId: 'o-1', items: ['a', 'b'] },
      resources,
      callbacks: { 'Wait for approval': (request) => ({ approvedFor: request.orderId }) },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.processed).toEqual([{ item: 'a', done: true }, { item: 'b', done: true }]);
    expect(result.output.branches).toEqual([
      { orderId: 'o-1', items: ['a', 'b'], valid: true, processed: [{ item: 'a', done: true }, { item: 'b', done: true }] },
      { approvedFor: 'o-1' },
      { orderId: 'o-1', items: ['a', 'b'], valid: true, processed: [{ item: 'a', done: true }, { item: 'b', done: true }] },
    ]);
    expect(result.path.slice(0, 5)).toEqual(['Validate order', 'Has items?', 'Process items', 'Process item', 'Process item']);
    expect(result.path.slice(5, 6)).toEqual(['Notify and approve']);
    expect(new Set(result.path.slice(6, 9))).toEqual(new Set(['Publish', 'Wait for approval', 'Cool down']));
    expect(result.path[9]).toBe('Done');
    expect(result.transitions).toBe(10);
    expect(result.retries).toEqual([]);
  });

  test('delivers the task token to the request and the callback', async () => {
    const { asl, resources, approveFn } = setup();
    const seen: any[] = [];
    await runLocally(asl, {
      input: { orderId: 'o-2', items: [] },
      resources: { ...resources, [arnOf(approveFn)]: (payload: any) => { seen.push(payload); } },
      callbacks: { 'Wait for approval': (_request, call) => { seen.push(call.taskToken); return {}; } },
    });
    expect(seen).toEqual([{ token: expect.stringMatching(/^local-token-[0-9a-f-]{36}$/), orderId: 'o-2' }, expect.any(String)]);
    expect(seen[1]).toBe(seen[0].token);
  });

  test('takes the Choice branch of IsPresent: false when items are missing', async () => {
    const { asl, resources } = setup();
    const result = await runLocally(asl, { input: { orderId: 'o-3' }, resources });
    expect(result.path).toEqual(['Validate order', 'Has items?', 'Nothing to do']);
    expect(result.output).toEqual({ orderId: 'o-3', valid: true });
    expect(result.transitions).toBe(3);
  });

  test('retries a throttled Lambda, counting each retry as a transition', async () => {
    const { asl, resources, validateFn } = setup();
    let calls = 0;
    const result = await runLocally(asl, {
      input: { orderId: 'o-4' },
      resources: { ...resources, [arnOf(validateFn)]: (order: any) => (++calls === 1 ? throttle() : { ...order, valid: true }) },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.retries).toEqual([{ state: 'Validate order', error: 'Lambda.TooManyRequestsException', attempt: 1 }]);
    expect(result.calls.filter(c => c.state === 'Validate order').map(c => c.attempt)).toEqual([1, 2]);
    expect(result.transitions).toBe(4);
  });

  test('takes the Catch when retries run out', async () => {
    const { asl, resources, validateFn } = setup();
    const result = await runLocally(asl, {
      input: { orderId: 'o-5' },
      resources: { ...resources, [arnOf(validateFn)]: throttle },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('OrderFailed');
    expect(result.cause).toBe('validation failed');
    expect(result.retries.map(r => r.attempt)).toEqual([1, 2]);
    expect(result.catches).toEqual([{ state: 'Validate order', error: 'Lambda.TooManyRequestsException', next: 'Order failed' }]);
    expect(result.path).toEqual(['Validate order', 'Order failed']);
    expect(result.transitions).toBe(4);
  });

  test('a rejected callback (SendTaskFailure) is caught by its error name', async () => {
    const { asl, resources } = setup();
    const result = await runLocally(asl, {
      input: { orderId: 'o-6', items: ['a'] },
      resources,
      callbacks: { 'Wait for approval': () => { throw new TaskFailure('Approval.Rejected', 'said no'); } },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('NotApproved');
    expect(result.catches).toEqual([{ state: 'Notify and approve', error: 'Approval.Rejected', next: 'Not approved' }]);
    expect(result.path[result.path.length - 1]).toBe('Not approved');
  });

  test('zeroes waits: a one-hour Wait completes', async () => {
    const { asl, resources } = setup();
    expect(asl.States['Notify and approve'].Branches[2].States['Cool down'].Seconds).toBe(3600);
    const result = await runLocally(asl, { input: { orderId: 'o-7', items: [] }, resources, callbacks: { 'Wait for approval': () => ({}) } });
    expect(result.path).toContain('Cool down');
    expect(result.status).toBe('SUCCEEDED');
  });

  test('fails when a task has no handler, even under a catch-all', async () => {
    const { asl, resources, validateFn } = setup();
    const { [arnOf(validateFn)]: _removed, ...others } = resources;
    await expect(runLocally(asl, { input: {}, resources: others }))
      .rejects.toThrow(new HarnessError(`local run: no handler for task 'Validate order' (resource arn:aws:states:::lambda:invoke, function ${arnOf(validateFn)}); give one in resources['${arnOf(validateFn)}'] or states['Validate order']`));
  });

  test('fails when a callback task gets no decision', async () => {
    const { asl, resources } = setup();
    await expect(runLocally(asl, { input: { orderId: 'o', items: [] }, resources }))
      .rejects.toThrow("task 'Wait for approval' waits for a task token (arn:aws:states:::lambda:invoke.waitForTaskToken); give its decision in callbacks['Wait for approval']");
  });

  test('a state handler wins over the resource handler', async () => {
    const { asl, resources } = setup();
    const result = await runLocally(asl, { input: { orderId: 'o' }, resources, states: { 'Validate order': () => ({ replaced: true }) } });
    expect(result.output).toEqual({ replaced: true });
  });
});

describe('engine limitations fail loudly', () => {
  test('fails when a service integration names another region or account, which Step Functions does not call', async () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:eu-west-1:123456789012:sns:publish', End: true } } };
    await expect(runLocally(definition, { resources: { 'arn:aws:states:::sns:publish': () => ({}) } })).rejects.toThrow(EngineLimitationError);
    await expect(runLocally({ ...definition, States: { T: { ...definition.States.T, Resource: 'arn:aws:states:us-east-1:123456789012:sns:publish' } } },
      { resources: { 'arn:aws:states:::sns:publish': () => ({ MessageId: 'm' }) } })).resolves.toMatchObject({ status: 'SUCCEEDED', output: { MessageId: 'm' } });
  });

  test('runs JSONata states and variables (Assign on a Choice rule included) instead of refusing them', async () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 1 %}', Assign: { big: true }, Next: 'Read' }], Default: 'Small' },
        Read: { Type: 'Choice', Choices: [{ Condition: '{% $big %}', Next: 'Big' }], Default: 'Small' },
        Big: { Type: 'Pass', Output: '{% {"size": "big", "n": $states.input.n} %}', End: true },
        Small: { Type: 'Pass', Output: { size: 'small' }, End: true },
      },
    };
    const result = await runLocally(definition, { input: { n: 2 } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { size: 'big', n: 2 }, path: ['C', 'Read', 'Big'], transitions: 3 });
  });

  test('fails when a handler or callback names no task, or a callback names a task that is not a callback', async () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } } };
    await expect(runLocally(definition, { states: { Nope: () => 1 } })).rejects.toThrow("local run: states['Nope'] names no Task state (Task states: T)");
    await expect(runLocally(definition, { callbacks: { T: () => 1 } })).rejects.toThrow(/callbacks\['T'\] is given, but 'T' is not a callback task/);
  });

  test('itemProcessorOf runs a Distributed Map processor as a child execution would', async () => {
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: {} },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Double', States: { Double: { Type: 'Task', Resource: 'arn:aws:states:::local:double', End: true } } },
          End: true,
        },
      },
    };
    const child = itemProcessorOf(definition, 'M');
    expect(child.ProcessorConfig).toBeUndefined();
    const result = await runLocally(child, { input: { n: 21 }, resources: { 'arn:aws:states:::local:double': (i: any) => i.n * 2 } });
    expect(result.output).toBe(42);
    expect(() => itemProcessorOf(definition, 'Nope')).toThrow("itemProcessorOf: no Map state 'Nope' (Map states: M)");
  });
});

describe('semantics the former engine got wrong', () => {
  const choice = (test: string, value: unknown) => ({
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ Variable: '$.v', [test]: false, Next: 'Matched' }], Default: 'Default' },
      Matched: { Type: 'Succeed' },
      Default: { Type: 'Succeed' },
    },
    input: value,
  });
  test.each([
    ['IsPresent', {}],
    ['IsNull', { v: 1 }],
    ['IsString', { v: 1 }],
    ['IsNumeric', { v: 'x' }],
    ['IsBoolean', { v: 1 }],
    ['IsTimestamp', { v: 'not a date' }],
  ])('%s: false matches as on AWS', async (test, input) => {
    const { input: _i, ...definition } = choice(test, input);
    expect((await runLocally(definition, { input })).path).toEqual(['C', 'Matched']);
  });

  test('negative type tests inside And/Not are rewritten too', async () => {
    const definition = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ And: [{ Variable: '$.a', IsPresent: true }, { Not: { Variable: '$.b', IsNull: false } }], Next: 'Matched' }], Default: 'Default' },
        Matched: { Type: 'Succeed' },
        Default: { Type: 'Succeed' },
      },
    };
    expect((await runLocally(definition, { input: { a: 1, b: null } })).path).toEqual(['C', 'Matched']);
    expect((await runLocally(definition, { input: { a: 1, b: 2 } })).path).toEqual(['C', 'Default']);
  });

  test.each([[0], [false], [''], [null]])('a Pass state with Result %p outputs it', async (value) => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Result: value, ResultPath: '$.r', End: true } } };
    const result = await runLocally(definition, { input: { keep: 1 } });
    expect(result.output).toEqual({ keep: 1, r: value });
    expect(result.path).toEqual(['P']);
    expect(result.transitions).toBe(1);
  });

  test('a Fail state with intrinsic functions in CausePath and ErrorPath fails with their values', async () => {
    const definition = {
      StartAt: 'F',
      States: { F: { Type: 'Fail', ErrorPath: "States.Format('Order.{}', $.kind)", CausePath: 'States.JsonToString($.detail)' } },
    };
    const input = { kind: 'Rejected', detail: { by: 'desk', why: 'too risky' } };
    const result = await runLocally(definition, { input });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Order.Rejected', cause: '{"by":"desk","why":"too risky"}', path: ['F'], transitions: 1 });
  });

  test('$$.Execution, $$.StateMachine and $$.State.EnteredTime have values, as on AWS', async () => {
    const definition = {
      StartAt: 'P',
      States: { P: { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'machine.$': '$$.StateMachine.Name', 'at.$': '$$.State.EnteredTime' }, End: true } },
    };
    const startTime = new Date('2024-05-01T10:00:00.000Z');
    const result = await runLocally(definition, { context: { Execution: { Name: 'e-1' } }, startTime });
    expect(result.output).toEqual({
      id: 'arn:aws:states:us-east-1:123456789012:execution:LocalStateMachine:e-1', name: 'e-1', machine: 'LocalStateMachine', at: expect.any(String),
    });
    expect(result.output.at).toBe(startTime.toISOString());
  });

  test('values from another realm (structuredClone in jest) are accepted', async () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::local:make', Next: 'P' },
        P: { Type: 'Pass', Parameters: { 'm.$': 'States.JsonMerge($.o1, $.o2, false)' }, End: true },
      },
    };
    const make = () => structuredClone({ o1: { k: 1 }, o2: { j: 2 } });
    // The bug this covers exists only where structuredClone makes objects of another realm (jest).
    expect(Object.getPrototypeOf(make()) === Object.prototype).toBe(false);
    const result = await runLocally(definition, { resources: { 'arn:aws:states:::local:make': make } });
    expect(result.output).toEqual({ m: { k: 1, j: 2 } });
    expect(make().o1).toEqual({ k: 1 });
  });
});

describe('ResultPath "$"', () => {
  test('replaces the input, as on AWS', async () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Result: { r: 1 }, ResultPath: '$', End: true } } };
    expect((await runLocally(definition, { input: { a: 1 } })).output).toEqual({ r: 1 });
  });
});
