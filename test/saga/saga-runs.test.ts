/**
 * The Saga run locally on the engine, in both query languages: the happy path, a failure at every
 * step, a declared own compensation, a compensation that fails once, and one that fails for good.
 */
import * as crypto from 'crypto';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EXECUTION_ARN, LANGUAGES, OrderServices, START, STEPS, entriesOf, expectedKey, importedFunction, newStack, orderSaga, runOrder } from './order-saga';
import { Saga, SagaStep, TryFinally } from '../../src';
import { aslOf } from '../support/asl';
import { TaskFailure, TaskOutcome, runLocally } from '../support/local-execution';

const failure = (step: string) => (step === 'Book shipping' ? ['ShippingUnavailable', 'no carrier for 12345'] : [`${step.split(' ')[0]}Failed`, `${step} refused`]) as [string, string];

describe.each(LANGUAGES)('Saga in %s', (_language, queryLanguage) => {
  const jsonPath = queryLanguage === sfn.QueryLanguage.JSON_PATH;
  /** The JSONPath saga records a failure in a Pass state; the JSONata saga in its Catch's Assign. */
  const failedState = (step: string) => (jsonPath ? [`${step}: failed`] : []);

  test('happy path: the three steps in order, their results kept, nothing undone', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices();
    const run = await runOrder(asl, services);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(['Order: begin', ...STEPS, 'Order placed']);
    // The begin state, 3 actions, the Succeed.
    expect(run.transitions).toBe(5);
    expect(run.output).toEqual({
      orderId: 'o-42',
      reservation: { reservationId: 'r-o-42' },
      payment: { chargeId: 'c-o-42' },
      shipment: { shipmentId: 's-o-42' },
    });
    expect(services.undone).toEqual([]);
    expect(services.messages).toEqual([]);
    // Each action receives its step, its key and the state's input.
    expect(services.calls[1].input).toEqual({ step: 'Charge payment', idempotencyKey: expectedKey('Charge payment', entriesOf(run)[0]), input: { orderId: 'o-42', reservation: { reservationId: 'r-o-42' } } });
  });

  test.each([0, 1, 2])('a failure at step %i: the completed steps are undone in reverse order, then the rolled-back Fail', async (i) => {
    const { asl } = orderSaga(queryLanguage);
    const step = STEPS[i];
    const services = new OrderServices().fail(step, failure(step));
    const run = await runOrder(asl, services);
    const completed = STEPS.slice(0, i).reverse();
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaRolledBack');
    expect(run.cause).toBe(`${step} failed (${failure(step)[0]}); undone: ${JSON.stringify(completed)}`);
    expect(run.path).toEqual(['Order: begin', ...STEPS.slice(0, i + 1), ...failedState(step), ...completed.map(s => `${s}: undo`), 'Order: rolled back']);
    expect(services.undone).toEqual(completed);
    // The begin state: 1; actions: i + 1; compensations: i; the Fail: 1; the JSONPath record: 1.
    expect(run.transitions).toBe(1 + 2 * i + 2 + (jsonPath ? 1 : 0));
    expect(run.catches).toEqual([{ state: step, error: failure(step)[0], next: jsonPath ? `${step}: failed` : (completed[0] ? `${completed[0]}: undo` : 'Order: rolled back') }]);
    expect(services.messages).toEqual([]);
  });

  test('every compensation receives the payload the failing step received, with the same key as its action', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Book shipping', failure('Book shipping'));
    const run = await runOrder(asl, services);
    const undo = services.calls.filter(c => c.state.endsWith(': undo'));
    const payload = { orderId: 'o-42', reservation: { reservationId: 'r-o-42' }, payment: { chargeId: 'c-o-42' } };
    const record = { failedStep: 'Book shipping', error: { Error: 'ShippingUnavailable', Cause: 'no carrier for 12345' }, toUndo: ['Charge payment', 'Reserve stock'] };
    for (const call of undo) {
      const step = call.state.replace(/: undo$/, '');
      // JSONPath keeps the saga's record in the payload ($.saga); JSONata in a variable.
      const input = jsonPath ? { ...payload, saga: record } : payload;
      expect(call.input).toEqual({ step, idempotencyKey: expectedKey(step, entriesOf(run)[0]), input });
      expect(call.input.idempotencyKey).toBe(services.calls.find(c => c.state === step)!.input.idempotencyKey);
    }
  });

  test('a step that declares its own compensation has it run when its action fails, then the earlier ones', async () => {
    const { asl } = orderSaga(queryLanguage, { compensateFailedAction: ['Charge payment'] });
    const services = new OrderServices().fail('Charge payment', ['Lambda.Unknown', 'response lost']);
    const run = await runOrder(asl, services);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaRolledBack');
    expect(run.path).toEqual(['Order: begin', 'Reserve stock', 'Charge payment', ...failedState('Charge payment'), 'Charge payment: undo', 'Reserve stock: undo', 'Order: rolled back']);
    expect(services.undone).toEqual(['Charge payment', 'Reserve stock']);
    expect(run.cause).toBe('Charge payment failed (Lambda.Unknown); undone: ["Charge payment","Reserve stock"]');
  });

  test('a transient Lambda error of an action is retried before the saga compensates', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Charge payment', ['Lambda.TooManyRequestsException', 'slow down'], undefined);
    const run = await runOrder(asl, services);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries).toEqual([{ state: 'Charge payment', error: 'Lambda.TooManyRequestsException', attempt: 1 }]);
    expect(run.transitions).toBe(6);
  });

  test('a business error of an action is not retried: the saga compensates at once', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Charge payment', ['PaymentDeclined', 'card expired']);
    const run = await runOrder(asl, services);
    expect(run.retries).toEqual([]);
    expect(services.calls.filter(c => c.state === 'Charge payment')).toHaveLength(1);
  });

  test('a compensation that fails once is retried, and the saga still rolls back', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Book shipping', failure('Book shipping')).fail('Charge payment: undo', ['RefundUnavailable', 'bank offline'], undefined);
    const run = await runOrder(asl, services);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaRolledBack');
    expect(run.retries).toEqual([{ state: 'Charge payment: undo', error: 'RefundUnavailable', attempt: 1 }]);
    expect(services.undone).toEqual(['Charge payment', 'Reserve stock']);
    expect(run.path).toEqual(['Order: begin', ...STEPS, ...failedState('Book shipping'), 'Charge payment: undo', 'Reserve stock: undo', 'Order: rolled back']);
    // The retry is one more transition than the same failure without it.
    expect(run.transitions).toBe(1 + 2 * 2 + 2 + (jsonPath ? 1 : 0) + 1);
  });

  test('a compensation that fails for good: the steps not undone are recorded in the queue, and the not-undone Fail names them', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Book shipping', failure('Book shipping')).fail('Charge payment: undo', ['RefundFailed', 'account closed']);
    const run = await runOrder(asl, services);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaNotUndone');
    // The errors' names only: their causes (a Lambda error's holds its stack trace) are in the record.
    expect(run.cause).toBe('Book shipping failed (ShippingUnavailable); undoing Charge payment failed (RefundFailed); not undone: ["Charge payment","Reserve stock"]');
    expect(run.cause).not.toContain('account closed');
    // Reserve stock is not undone after Charge payment could not be: the reverse order is kept.
    expect(run.path).toEqual(['Order: begin', ...STEPS, ...failedState('Book shipping'), 'Charge payment: undo', ...(jsonPath ? ['Charge payment: not undone'] : []),
      'Order: record not undone', 'Order: not undone']);
    // The first attempt and 10 retries.
    expect(services.calls.filter(c => c.state === 'Charge payment: undo')).toHaveLength(11);
    expect(run.retries).toHaveLength(10);
    expect(services.undone).toEqual([]);
    expect(services.messages).toEqual([{
      saga: 'Order',
      execution: EXECUTION_ARN,
      failedStep: 'Book shipping',
      error: { Error: 'ShippingUnavailable', Cause: 'no carrier for 12345' },
      toUndo: ['Charge payment', 'Reserve stock'],
      compensationFailedStep: 'Charge payment',
      compensationError: { Error: 'RefundFailed', Cause: 'account closed' },
      notUndone: ['Charge payment', 'Reserve stock'],
      idempotencyKeys: { 'Charge payment': expectedKey('Charge payment', entriesOf(run)[0]), 'Reserve stock': expectedKey('Reserve stock', entriesOf(run)[0]) },
    }]);
    // The begin state, 3 actions, the two records (JSONPath), 11 attempts of the compensation, the record task, the Fail.
    expect(run.transitions).toBe(1 + 3 + (jsonPath ? 2 : 0) + 11 + 2);
  });

  test('the last compensation failing for good leaves only its own step not undone', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Book shipping', failure('Book shipping')).fail('Reserve stock: undo', ['ReleaseFailed', 'warehouse offline']);
    const run = await runOrder(asl, services);
    expect(run.error).toBe('SagaNotUndone');
    expect(services.undone).toEqual(['Charge payment']);
    expect(services.messages[0]).toMatchObject({ compensationFailedStep: 'Reserve stock', notUndone: ['Reserve stock'], toUndo: ['Charge payment', 'Reserve stock'] });
  });

  test('a record that cannot be sent does not hide the failure: the not-undone Fail still names the steps', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Charge payment', ['PaymentDeclined', 'no']).fail('Reserve stock: undo', ['ReleaseFailed', 'gone']);
    const run = await runLocally(asl, {
      input: { orderId: 'o-42' },
      states: services.options(asl).states,
      resources: { 'arn:aws:states:::sqs:sendMessage': () => { throw new Error('SQS.ServiceUnavailable'); } },
      seed: 7,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaNotUndone');
    expect(run.cause).toContain('not undone: ["Reserve stock"]');
    expect(run.retries.filter(r => r.state === 'Order: record not undone')).toHaveLength(3);
  });

  test('the idempotency key is the same for every attempt of a step, differs between steps and between executions', async () => {
    const { asl } = orderSaga(queryLanguage);
    const services = new OrderServices().fail('Reserve stock', ['Lambda.ServiceException', 'blip'], undefined);
    const run = await runOrder(asl, services);
    const reserve = services.calls.filter(c => c.state === 'Reserve stock');
    expect(reserve).toHaveLength(2);
    expect(reserve[0].input.idempotencyKey).toBe(reserve[1].input.idempotencyKey);
    expect(new Set(services.calls.map(c => c.input.idempotencyKey)).size).toBe(3);
    const other = new OrderServices();
    const otherRun = await runOrder(asl, other, { orderId: 'o-42' }, 'order-43');
    expect(reserve[0].input.idempotencyKey).toBe(expectedKey('Reserve stock', entriesOf(run)[0]));
    expect(other.calls[0].input.idempotencyKey).toBe(expectedKey('Reserve stock', entriesOf(otherRun)[0], EXECUTION_ARN.replace('order-42', 'order-43')));
    expect(other.calls[0].input.idempotencyKey).not.toBe(reserve[0].input.idempotencyKey);
  });

  test('replaced routes: onRolledBack and onNotUndone receive the record', async () => {
    const jsonata = !jsonPath;
    const stack = newStack();
    const fn = (name: string) => importedFunction(stack, name);
    const record = jsonata ? '{% $saga_Order %}' : undefined;
    const rolledBack = jsonata ? sfn.Pass.jsonata(stack, 'Apologise', { outputs: { rolledBack: record } })
      : sfn.Pass.jsonPath(stack, 'Apologise', { parameters: { 'rolledBack.$': '$.saga' } });
    const notUndone = jsonata ? sfn.Pass.jsonata(stack, 'Escalate', { outputs: { notUndone: record } })
      : sfn.Pass.jsonPath(stack, 'Escalate', { parameters: { 'notUndone.$': '$.saga.notUndone' } });
    const saga = new Saga(stack, 'Order', {
      queryLanguage,
      steps: [
        SagaStep.lambda('Reserve stock', { action: fn('reserve'), compensation: fn('release') }),
        SagaStep.lambda('Charge payment', { action: fn('charge'), compensation: fn('refund') }),
      ],
      onRolledBack: rolledBack,
      onNotUndone: notUndone,
    });
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga), queryLanguage: jsonata ? queryLanguage : undefined });
    const asl = aslOf(stack, machine);
    const back = await runOrder(asl, new OrderServices().fail('Charge payment', ['PaymentDeclined', 'no']));
    expect(back.status).toBe('SUCCEEDED');
    expect(back.path.slice(-1)).toEqual(['Apologise']);
    expect(back.output.rolledBack).toEqual({ failedStep: 'Charge payment', error: { Error: 'PaymentDeclined', Cause: 'no' }, toUndo: ['Reserve stock'] });
    const notBack = await runOrder(asl, new OrderServices().fail('Charge payment', ['PaymentDeclined', 'no']).fail('Reserve stock: undo', ['ReleaseFailed', 'gone']));
    expect(notBack.status).toBe('SUCCEEDED');
    expect(notBack.path.slice(-2)).toEqual(['Order: record not undone', 'Escalate']);
    expect(jsonata ? notBack.output.notUndone.notUndone : notBack.output.notUndone).toEqual(['Reserve stock']);
  });
});

describe.each(LANGUAGES)('Saga steps made of states, in %s', (_language, queryLanguage) => {
  const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;

  function build(ownCompensation: boolean) {
    const stack = newStack();
    const pass = (id: string, value: string) => (jsonata
      ? sfn.Pass.jsonata(stack, id, { outputs: `{% $merge([$states.input, { '${value}': true }]) %}` })
      : sfn.Pass.jsonPath(stack, id, { result: sfn.Result.fromBoolean(true), resultPath: `$.${value}` }));
    const task = (id: string) => new sfn.CustomState(stack, id, {
      stateJson: jsonata
        ? { Type: 'Task', Resource: 'arn:aws:states:::local:charge', QueryLanguage: 'JSONata', Arguments: { key: Saga.idempotencyKey('Charge', queryLanguage, undefined, 'Checkout') } }
        : { Type: 'Task', Resource: 'arn:aws:states:::local:charge', Parameters: { 'key.$': "States.Hash(States.Format('{}/{}/Charge', $$.Execution.Id, $saga_Checkout_entry), 'SHA-256')" }, ResultPath: '$.charged' },
    });
    const saga = new Saga(stack, 'Checkout', {
      queryLanguage,
      steps: [
        // A chain: run inside a Parallel named after the step.
        SagaStep.of('Hold', { action: pass('Hold a', 'heldA').next(pass('Hold b', 'heldB')), compensation: pass('Release a', 'releasedA').next(pass('Release b', 'releasedB')) }),
        // One Task: caught where it stands.
        SagaStep.of('Charge', { action: task('Charge card'), compensation: pass('Refund', 'refunded'), compensateFailedAction: ownCompensation }),
      ],
    });
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga), queryLanguage: jsonata ? queryLanguage : undefined });
    return aslOf(stack, machine);
  }

  test('a chain runs inside a Parallel, a single Task is caught where it stands; both undone in reverse order', async () => {
    const asl = build(true);
    expect(asl.States.Hold.Type).toBe('Parallel');
    // CDK renders a CustomState's Catch in JSONPath only: a JSONata saga runs it inside a Parallel too.
    expect(asl.States[jsonata ? 'Charge' : 'Charge card'].Type).toBe(jsonata ? 'Parallel' : 'Task');
    const keys: string[] = [];
    const run = await runLocally(asl, {
      input: { orderId: 'o-1' },
      context: { Execution: { Name: 'order-42' } },
      startTime: START,
      resources: { 'arn:aws:states:::local:charge': (input: any) => { keys.push(input.key); throw new Error('CardDeclined'); } },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaRolledBack');
    expect(run.path).toEqual(['Checkout: begin', 'Hold', 'Hold a', 'Hold b', ...(jsonata ? ['Charge', 'Charge card'] : ['Charge card', 'Charge: failed']),
      'Charge: undo', 'Refund', 'Hold: undo', 'Release a', 'Release b', 'Checkout: rolled back']);
    expect(keys).toEqual([expectedKey('Charge', entriesOf(run, 'Checkout')[0])]);
    // Each compensation received the payload the failing step received (the compensations' outputs are discarded).
    const input = (name: string) => run.states.find(s => s.name === name)!.input;
    expect(input('Refund')).toMatchObject({ orderId: 'o-1', heldA: true, heldB: true });
    expect(input('Release a')).toEqual(input('Refund'));
  });

  test('without a declared own compensation, the failing Task\'s compensation does not run', async () => {
    const asl = build(false);
    const run = await runLocally(asl, { input: { orderId: 'o-1' }, resources: { 'arn:aws:states:::local:charge': () => { throw new Error('CardDeclined'); } } });
    expect(run.path).not.toContain('Refund');
    expect(run.path).toContain('Release b');
    expect(run.cause).toBe('Charge failed (Error); undone: ["Hold"]');
  });

  test('a compensation made of states that fails is retried whole, then recorded as not undone', async () => {
    const stack = newStack();
    const step = (id: string) => new sfn.CustomState(stack, id, {
      stateJson: { Type: 'Task', Resource: `arn:aws:states:::local:${id}`, ...(jsonata ? { QueryLanguage: 'JSONata' } : {}) },
    });
    const saga = new Saga(stack, 'S', {
      queryLanguage,
      compensationRetry: { errors: [sfn.Errors.ALL], maxAttempts: 2 },
      steps: [
        SagaStep.of('A', { action: step('a'), compensation: step('undo-a1').next(step('undo-a2')) }),
        SagaStep.of('B', { action: step('b') }),
      ],
    });
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga), queryLanguage: jsonata ? queryLanguage : undefined });
    const calls: string[] = [];
    const run = await runLocally(aslOf(stack, machine), {
      resources: {
        'arn:aws:states:::local:a': () => { calls.push('a'); return {}; },
        'arn:aws:states:::local:b': () => { calls.push('b'); throw new Error('BFailed'); },
        'arn:aws:states:::local:undo-a1': () => { calls.push('undo-a1'); return {}; },
        'arn:aws:states:::local:undo-a2': () => { calls.push('undo-a2'); throw new Error('Stuck'); },
        'arn:aws:states:::sqs:sendMessage': () => ({ MessageId: 'm' }),
      },
    });
    expect(calls).toEqual(['a', 'b', 'undo-a1', 'undo-a2', 'undo-a1', 'undo-a2', 'undo-a1', 'undo-a2']);
    expect(run.error).toBe('SagaNotUndone');
    expect(run.cause).toContain('not undone: ["A"]');
  });
});

describe.each(LANGUAGES)('TryFinally around a saga, in %s', (_language, queryLanguage) => {
  const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;

  function build() {
    const stack = newStack();
    const fn = (name: string) => importedFunction(stack, name);
    const saga = new Saga(stack, 'Order', {
      queryLanguage,
      steps: [
        SagaStep.lambda('Reserve stock', { action: fn('reserve'), compensation: fn('release'), resultField: 'reservation' }),
        SagaStep.lambda('Charge payment', { action: fn('charge'), compensation: fn('refund'), resultField: 'payment' }),
      ],
    });
    const cleanup = new sfn.CustomState(stack, 'Unlock', {
      stateJson: { Type: 'Task', Resource: 'arn:aws:states:::local:unlock', ...(jsonata ? { QueryLanguage: 'JSONata' } : {}) },
    });
    const guarded = new TryFinally(stack, 'Place order', { body: saga, cleanup, queryLanguage });
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(guarded), queryLanguage: jsonata ? queryLanguage : undefined });
    return aslOf(stack, machine);
  }

  async function run(services: OrderServices) {
    const unlocked: any[] = [];
    const asl = build();
    const { states, resources } = services.options(asl);
    const result = await runLocally(asl, {
      input: { orderId: 'o-42' },
      states,
      resources: { ...resources, 'arn:aws:states:::local:unlock': (input: any) => { unlocked.push(input); return { unlocked: true }; } },
    });
    return { result, unlocked };
  }

  test('on success: the cleanup runs, then the saga\'s output is restored', async () => {
    const { result, unlocked } = await run(new OrderServices());
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ orderId: 'o-42', reservation: { reservationId: 'r-o-42' }, payment: { chargeId: 'c-o-42' } });
    expect(unlocked).toEqual([{ orderId: 'o-42', outcome: { output: result.output } }]);
    expect(result.path).toEqual(['Place order', 'Order: begin', 'Reserve stock', 'Charge payment', 'Place order: finally', 'Unlock', 'Place order: failed?', 'Place order: done']);
  });

  test('after compensation: the cleanup runs, then the rolled-back error is raised again', async () => {
    const { result, unlocked } = await run(new OrderServices().fail('Charge payment', ['PaymentDeclined', 'card expired']));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SagaRolledBack');
    expect(result.cause).toBe('Charge payment failed (PaymentDeclined); undone: ["Reserve stock"]');
    expect(unlocked).toEqual([{ orderId: 'o-42', outcome: { error: { Error: 'SagaRolledBack', Cause: result.cause } } }]);
    expect(result.path.slice(-4)).toEqual(['Place order: finally', 'Unlock', 'Place order: failed?', 'Place order: rethrow']);
  });

  test('when a compensation fails for good: the cleanup runs, then the not-undone error is raised again', async () => {
    const { result, unlocked } = await run(new OrderServices().fail('Charge payment', ['PaymentDeclined', 'x']).fail('Reserve stock: undo', ['ReleaseFailed', 'y']));
    expect(result.error).toBe('SagaNotUndone');
    expect(unlocked).toHaveLength(1);
  });
});

describe.each(LANGUAGES)('TryFinally on its own, in %s', (_language, queryLanguage) => {
  const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;
  const task = (stack: ReturnType<typeof newStack>, id: string) => (jsonata
    ? sfn.Pass.jsonata(stack, id, { outputs: `{% $merge([$states.input, { '${id}': true }]) %}` })
    : sfn.Pass.jsonPath(stack, id, { result: sfn.Result.fromBoolean(true), resultPath: `$.${id}` }));

  function build(body: (stack: ReturnType<typeof newStack>) => sfn.IChainable, cleanup: (stack: ReturnType<typeof newStack>) => sfn.IChainable) {
    const stack = newStack();
    const guarded = new TryFinally(stack, 'Guarded', { body: body(stack), cleanup: cleanup(stack), queryLanguage, outcomePath: '$.result' });
    const next = jsonata ? sfn.Pass.jsonata(stack, 'After') : new sfn.Pass(stack, 'After');
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(guarded.next(next)), queryLanguage: jsonata ? queryLanguage : undefined });
    return aslOf(stack, machine);
  }

  test('a chain that succeeds: the cleanup runs, the chain\'s output goes on to the next state', async () => {
    const asl = build(stack => task(stack, 'first').next(task(stack, 'second')), stack => task(stack, 'cleaned'));
    expect(asl).toBeValidAsl();
    const run = await runLocally(asl, { input: { id: 1 } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ id: 1, first: true, second: true });
    expect(run.path).toEqual(['Guarded', 'first', 'second', 'Guarded: finally', 'cleaned', 'Guarded: failed?', 'Guarded: done', 'After']);
    expect(run.states.find(s => s.name === 'cleaned')!.input).toEqual({ id: 1, result: { output: { id: 1, first: true, second: true } } });
  });

  test('a body that fails with an error and no cause: the cleanup runs, then that error is raised again', async () => {
    const asl = build(stack => new sfn.Fail(stack, 'Refused', { error: 'OrderRefused', queryLanguage }), stack => task(stack, 'cleaned'));
    const run = await runLocally(asl, { input: { id: 1 } });
    expect([run.status, run.error]).toEqual(['FAILED', 'OrderRefused']);
    expect(run.path).toEqual(['Guarded', 'Refused', 'Guarded: finally', 'cleaned', 'Guarded: failed?', 'Guarded: rethrow']);
  });

  test('a body whose task times out (States.Timeout): the cleanup still runs, then the timeout is raised again', async () => {
    const slow = (stack: ReturnType<typeof newStack>) => new sfn.CustomState(stack, 'Slow', {
      stateJson: { Type: 'Task', Resource: 'arn:aws:states:::local:slow', TimeoutSeconds: 5, ...(jsonata ? { QueryLanguage: 'JSONata' } : {}) },
    });
    const asl = build(slow, stack => task(stack, 'cleaned'));
    const run = await runLocally(asl, { input: { id: 1 }, resources: { 'arn:aws:states:::local:slow': () => TaskOutcome.never() } });
    expect([run.status, run.error]).toEqual(['FAILED', 'States.Timeout']);
    expect(run.path).toEqual(['Guarded', 'Slow', 'Guarded: finally', 'cleaned', 'Guarded: failed?', 'Guarded: rethrow']);
    expect(run.durationMs).toBe(5000);
  });

  test('a cleanup that fails: the construct fails with the cleanup\'s error', async () => {
    const asl = build(stack => task(stack, 'first'), stack => new sfn.Fail(stack, 'Cleanup broke', { error: 'CleanupFailed', cause: 'lock service down', queryLanguage }));
    const run = await runLocally(asl, { input: { id: 1 } });
    expect([run.status, run.error, run.cause]).toEqual(['FAILED', 'CleanupFailed', 'lock service down']);
    expect(run.path).toEqual(['Guarded', 'first', 'Guarded: finally', 'Cleanup broke']);
  });
});

describe.each(LANGUAGES)('an action that times out, in %s', (_language, queryLanguage) => {
  test('its answer never comes (a lost response): States.Timeout, and its declared own compensation runs with the same key', async () => {
    const stack = newStack();
    const saga = new Saga(stack, 'Order', {
      queryLanguage,
      steps: [
        SagaStep.lambda('Reserve stock', { action: importedFunction(stack, 'reserve'), compensation: importedFunction(stack, 'release') }),
        SagaStep.lambda('Charge payment', {
          action: importedFunction(stack, 'charge'), compensation: importedFunction(stack, 'refund'), compensateFailedAction: true, actionTimeout: Duration.seconds(30),
        }),
      ],
    });
    const machine = new sfn.StateMachine(stack, 'M', {
      definitionBody: sfn.DefinitionBody.fromChainable(saga),
      queryLanguage: queryLanguage === sfn.QueryLanguage.JSONATA ? queryLanguage : undefined,
    });
    const asl = aslOf(stack, machine);
    expect(asl.States['Charge payment'].TimeoutSeconds).toBe(30);
    const keys: Record<string, string> = {};
    const run = await runLocally(asl, {
      input: { orderId: 'o-9' },
      context: { Execution: { Name: 'order-42' } },
      startTime: START,
      states: {
        'Reserve stock': () => ({ reservationId: 'r-1' }),
        // The charge goes through, but its answer comes after the timeout.
        'Charge payment': (input: any) => { keys.charge = input.idempotencyKey; return TaskOutcome.succeed({ chargeId: 'c-1' }, { afterSeconds: 60 }); },
        'Charge payment: undo': (input: any) => { keys.refund = input.idempotencyKey; return { refunded: true }; },
        'Reserve stock: undo': () => ({ released: true }),
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SagaRolledBack');
    expect(run.catches[0]).toMatchObject({ state: 'Charge payment', error: 'States.Timeout' });
    expect(run.path.filter(s => s.endsWith(': undo'))).toEqual(['Charge payment: undo', 'Reserve stock: undo']);
    expect(keys.refund).toBe(keys.charge);
    expect(keys.charge).toBe(expectedKey('Charge payment', entriesOf(run)[0]));
  });
});

test('a JSONata saga whose idempotencyKeyScope evaluates to nothing fails that item before any action runs; the other items keep their own keys', async () => {
  const stack = newStack();
  const saga = new Saga(stack, 'Order', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    idempotencyKeyScope: '{% $states.input.orderId %}',
    steps: [SagaStep.lambda('Charge payment', { action: importedFunction(stack, 'charge'), compensation: importedFunction(stack, 'refund') })],
  });
  const map = sfn.Map.jsonata(stack, 'Each order', { items: sfn.ProvideItems.jsonata('{% $states.input.orders %}') });
  map.itemProcessor(saga);
  const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(map), queryLanguage: sfn.QueryLanguage.JSONATA });
  const charged: string[] = [];
  const run = await runLocally(aslOf(stack, machine), {
    input: { orders: [{ orderId: 'o-1' }, { total: 12 }, { orderId: null }] },
    states: { 'Charge payment': (input: any) => { charged.push(input.input.orderId); return {}; } },
  });
  // Neither order without an id was charged with the shared key, and the execution says why.
  expect(charged).toEqual(['o-1']);
  // The state failed before its action ran, with the evaluation error and the saga's message; the saga rolled back.
  expect(run.catches.filter(c => c.state === 'Charge payment').map(c => c.error)).toContain('States.QueryEvaluationError');
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('SagaRolledBack');
  expect(run.cause).toContain('Charge payment failed (States.QueryEvaluationError)');
  expect(JSON.stringify(run.events)).toContain("Saga 'Order': idempotencyKeyScope $states.input.orderId evaluated to nothing (undefined, null or an empty string)");
});

describe.each(LANGUAGES)('a saga entered twice in one execution, in %s', (_language, queryLanguage) => {
  const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;

  test('rolled back, then tried again through a loop: each entry gives its steps new keys, and the retries of a step within an entry keep theirs', async () => {
    const stack = newStack();
    const fail = jsonata ? sfn.Fail.jsonata(stack, 'Gave up', { error: 'GaveUp' }) : new sfn.Fail(stack, 'Gave up', { error: 'GaveUp' });
    const mark = jsonata
      ? sfn.Pass.jsonata(stack, 'Mark the retry', { outputs: "{% $merge([$states.input, { 'retried': true }]) %}" })
      : new sfn.Pass(stack, 'Mark the retry', { result: sfn.Result.fromBoolean(true), resultPath: '$.retried' });
    const again = jsonata ? sfn.Choice.jsonata(stack, 'Try again?') : new sfn.Choice(stack, 'Try again?');
    const saga = new Saga(stack, 'Order', {
      queryLanguage,
      steps: [
        SagaStep.lambda('Reserve stock', { action: importedFunction(stack, 'reserve'), compensation: importedFunction(stack, 'release') }),
        SagaStep.lambda('Charge payment', { action: importedFunction(stack, 'charge'), compensation: importedFunction(stack, 'refund') }),
      ],
      onRolledBack: again,
    });
    again.when(jsonata ? sfn.Condition.jsonata('{% $exists($states.input.retried) %}') : sfn.Condition.isPresent('$.retried'), fail).otherwise(mark.next(saga.startState));
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(saga), queryLanguage: jsonata ? queryLanguage : undefined });
    const calls: Array<{ state: string; key: string }> = [];
    let charges = 0;
    const run = await runLocally(aslOf(stack, machine), {
      input: { orderId: 'o-1' },
      context: { Execution: { Name: 'order-42' } },
      startTime: START,
      states: {
        'Reserve stock': (input: any) => { calls.push({ state: 'Reserve stock', key: input.idempotencyKey }); return {}; },
        'Reserve stock: undo': (input: any) => { calls.push({ state: 'Reserve stock: undo', key: input.idempotencyKey }); return {}; },
        'Charge payment': (input: any) => {
          calls.push({ state: 'Charge payment', key: input.idempotencyKey });
          charges++;
          // The first entry: throttled once (retried), then declined; the second entry: charged.
          if (charges === 1) throw new TaskFailure('Lambda.TooManyRequestsException', 'slow down');
          if (charges === 2) throw new TaskFailure('PaymentDeclined', 'no');
          return {};
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.filter(st => st === 'Order: begin')).toHaveLength(2);
    const keysOf = (state: string) => calls.filter(c => c.state === state).map(c => c.key);
    const [charge1, retry1, charge2] = keysOf('Charge payment');
    // Within an entry, a retry keeps the key; the second entry's charge has a key of its own.
    expect(retry1).toBe(charge1);
    expect(charge2).not.toBe(charge1);
    const [reserve1, reserve2] = keysOf('Reserve stock');
    expect(reserve2).not.toBe(reserve1);
    // The undo of the first entry's reservation has the first entry's key.
    expect(keysOf('Reserve stock: undo')).toEqual([reserve1]);
    const entries = entriesOf(run);
    expect(entries).toHaveLength(2);
    expect(reserve1).toBe(expectedKey('Reserve stock', entries[0]));
    expect(reserve2).toBe(expectedKey('Reserve stock', entries[1]));
  });
});

describe.each(LANGUAGES)('a saga in every iteration of a Map, in %s', (_language, queryLanguage) => {
  const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;

  test('with idempotencyKeyScope, each order gets its own keys, the same for its action and its compensation', async () => {
    const stack = newStack();
    const saga = new Saga(stack, 'Order', {
      queryLanguage,
      idempotencyKeyScope: jsonata ? '{% $states.input.orderId %}' : '$.orderId',
      steps: [
        SagaStep.lambda('Reserve stock', { action: importedFunction(stack, 'reserve'), compensation: importedFunction(stack, 'release') }),
        SagaStep.lambda('Charge payment', { action: importedFunction(stack, 'charge'), compensation: importedFunction(stack, 'refund') }),
      ],
      onRolledBack: jsonata ? sfn.Pass.jsonata(stack, 'Cancelled', { outputs: { cancelled: true } }) : new sfn.Pass(stack, 'Cancelled', { result: sfn.Result.fromObject({ cancelled: true }) }),
    });
    const map = jsonata
      ? sfn.Map.jsonata(stack, 'Each order', { items: sfn.ProvideItems.jsonata('{% $states.input.orders %}') })
      : new sfn.Map(stack, 'Each order', { itemsPath: '$.orders' });
    map.itemProcessor(saga);
    const machine = new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(map), queryLanguage: jsonata ? queryLanguage : undefined });
    const calls: Array<{ state: string; orderId: string; key: string }> = [];
    const record = (state: string, result: (input: any) => unknown) => (input: any) => {
      calls.push({ state, orderId: input.input.orderId, key: input.idempotencyKey });
      return result(input);
    };
    const run = await runLocally(aslOf(stack, machine), {
      input: { orders: [{ orderId: 'o-1' }, { orderId: 'o-2', declined: true }] },
      context: { Execution: { Name: 'order-42' } },
      startTime: START,
      states: {
        'Reserve stock': record('Reserve stock', () => ({})),
        'Charge payment': record('Charge payment', (input: any) => {
          if (input.input.declined) throw new TaskFailure('PaymentDeclined', 'no');
          return {};
        }),
        'Reserve stock: undo': record('Reserve stock: undo', () => ({})),
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual([{ orderId: 'o-1' }, { cancelled: true }]);
    // Each iteration entered the saga once: its key is over the execution, that entry, the order id and the step.
    const entries = entriesOf(run);
    expect(entries).toHaveLength(2);
    for (const call of calls) {
      const step = call.state.replace(/: undo$/, '');
      const candidates = entries.map(entry => crypto.createHash('sha256').update(`${EXECUTION_ARN}/${entry}/${call.orderId}/${step}`).digest('hex'));
      expect(candidates).toContain(call.key);
    }
    const reserveKeys = calls.filter(c => c.state === 'Reserve stock').map(c => c.key);
    expect(new Set(reserveKeys).size).toBe(2);
    expect(calls.find(c => c.state === 'Reserve stock: undo')!.key).toBe(calls.find(c => c.state === 'Reserve stock' && c.orderId === 'o-2')!.key);
    const key = Saga.idempotencyKey('Reserve stock', queryLanguage, jsonata ? '{% $states.input.orderId %}' : '$.orderId');
    expect(stack.resolve(sfn.TaskInput.fromObject({ key }).value)).toEqual({
      key: jsonata ? "{% $hash($states.context.Execution.Id & '/' & ($scope := ($states.input.orderId); $exists($scope) and $scope != null and $scope != '' "
        + '? $string($scope) : $error("Saga.idempotencyKey: idempotencyKeyScope $states.input.orderId evaluated to nothing (undefined, null or an empty string), '
        + 'so every item would share one idempotency key; give each item a value that tells it apart")) & \'/Reserve stock\', \'SHA-256\') %}'
        : "States.Hash(States.Format('{}/{}/Reserve stock', $$.Execution.Id, $.orderId), 'SHA-256')",
    });
  });

  test('fails when the saga runs in a Map without idempotencyKeyScope: synth names the saga, the Map and the scope to give', () => {
    const stack = newStack();
    const saga = new Saga(stack, 'Order', { queryLanguage, steps: [SagaStep.lambda('Pay', { action: importedFunction(stack, 'pay'), compensation: importedFunction(stack, 'refund') })] });
    const map = jsonata
      ? sfn.Map.jsonata(stack, 'Each order', { items: sfn.ProvideItems.jsonata('{% $states.input.orders %}') })
      : new sfn.Map(stack, 'Each order', { itemsPath: '$.orders' });
    // Deeper than the Map's own processor: inside a Parallel of it.
    const inner = jsonata ? sfn.Parallel.jsonata(stack, 'Inner') : new sfn.Parallel(stack, 'Inner');
    map.itemProcessor(inner.branch(saga));
    new sfn.StateMachine(stack, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(map), queryLanguage: jsonata ? queryLanguage : undefined });
    expect(() => Template.fromStack(stack)).toThrow('Saga \'Order\' runs in every iteration of Map \'Each order\' (state machine Test/M) without idempotencyKeyScope, '
      + `so every iteration would give its steps the same idempotency keys: give idempotencyKeyScope a value that tells the items apart, such as ${jsonata ? "'{% $states.input.orderId %}'" : "'$.orderId'"}`);
  });

  test('fails when idempotencyKeyScope is not written in the saga\'s language', () => {
    const stack = newStack();
    const steps = [SagaStep.lambda('Pay', { action: importedFunction(stack, 'pay') })];
    expect(() => new Saga(stack, 'Order', { queryLanguage, steps, idempotencyKeyScope: jsonata ? '$.orderId' : '{% $states.input.orderId %}' }))
      .toThrow(jsonata
        ? "Saga 'Order': idempotencyKeyScope must be a JSONata expression such as '{% $states.input.orderId %}' in a JSONata saga (got '$.orderId')"
        : "Saga 'Order': idempotencyKeyScope must be a JSONPath to a value of the input such as '$.orderId' in a JSONPath saga (got '{% $states.input.orderId %}')");
  });
});
