/**
 * An order saga for the tests (reserve stock, charge payment, book shipping) on imported functions,
 * in either query language, and what a local run of it needs.
 */
import * as crypto from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Saga, SagaProps, SagaStep, Workflow } from '../../src';
import { aslOf } from '../support/asl';
import { LocalRunOptions, LocalRunResult, TaskFailure, allStates, runLocally } from '../support/local-execution';

export const LANGUAGES: Array<[string, sfn.QueryLanguage]> = [
  ['JSONPath', sfn.QueryLanguage.JSON_PATH],
  ['JSONata', sfn.QueryLanguage.JSONATA],
];

export const STEPS = ['Reserve stock', 'Charge payment', 'Book shipping'];

export function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** An imported function: the ASL holds its literal ARN, and the stack has no function resource. */
export function importedFunction(stack: Stack, name: string): lambda.IFunction {
  return lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
}

export interface OrderSagaOptions extends Partial<SagaProps> {
  /** Steps whose own compensation runs when their action fails. */
  readonly compensateFailedAction?: string[];
}

/** The order saga in a state machine of the same query language (a `Workflow` for JSONPath, a JSONata `sfn.StateMachine`). */
export function orderSaga(queryLanguage: sfn.QueryLanguage, options: OrderSagaOptions = {}) {
  const stack = newStack();
  const fn = (name: string) => importedFunction(stack, name);
  const { compensateFailedAction, ...sagaOptions } = options;
  const own = new Set(compensateFailedAction ?? []);
  const saga = new Saga(stack, 'Order', {
    queryLanguage,
    ...sagaOptions,
    steps: options.steps ?? [
      SagaStep.lambda('Reserve stock', { action: fn('reserve'), compensation: fn('release'), resultPath: '$.reservation', compensateFailedAction: own.has('Reserve stock') }),
      SagaStep.lambda('Charge payment', { action: fn('charge'), compensation: fn('refund'), resultPath: '$.payment', compensateFailedAction: own.has('Charge payment') }),
      SagaStep.lambda('Book shipping', { action: fn('ship'), compensation: fn('cancel'), resultPath: '$.shipment', compensateFailedAction: own.has('Book shipping') }),
    ],
  });
  const done = queryLanguage === sfn.QueryLanguage.JSONATA ? sfn.Succeed.jsonata(stack, 'Placed', { stateName: 'Order placed' }) : new sfn.Succeed(stack, 'Placed', { stateName: 'Order placed' });
  const definition = saga.next(done);
  const stateMachine = queryLanguage === sfn.QueryLanguage.JSONATA
    ? new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(definition), queryLanguage })
    : new Workflow(stack, 'Machine', { definition }).stateMachine;
  return { stack, saga, stateMachine, asl: aslOf(stack, stateMachine) };
}

/** What the order saga's functions answer, and what they were asked. */
export class OrderServices {
  public readonly calls: Array<{ state: string; input: any; attempt: number }> = [];
  public readonly messages: any[] = [];
  /** Errors to throw, by state name: a list consumed one per attempt; the last one repeats. */
  public readonly failures: Record<string, Array<[string, string] | undefined>> = {};

  public fail(state: string, ...errors: Array<[string, string] | undefined>): this {
    this.failures[state] = errors;
    return this;
  }

  /** Handlers for the Task states of the ASL (a saga creates no state for a compensation that can never run). */
  public options(asl: any): Pick<LocalRunOptions, 'states' | 'resources'> {
    const tasks = new Set(allStates(asl).filter(s => s.state.Type === 'Task').map(s => s.name));
    const states: Record<string, (input: any, call: { attempt: number }) => unknown> = {};
    const answer = (state: string, result: (input: any) => unknown) => (input: any, call: { attempt: number }) => {
      this.calls.push({ state, input, attempt: call.attempt });
      const planned = this.failures[state];
      const error = planned ? planned[Math.min(call.attempt, planned.length) - 1] : undefined;
      if (error) throw new TaskFailure(error[0], error[1]);
      return result(input);
    };
    states['Reserve stock'] = answer('Reserve stock', i => ({ reservationId: `r-${i.input.orderId}` }));
    states['Charge payment'] = answer('Charge payment', i => ({ chargeId: `c-${i.input.orderId}` }));
    states['Book shipping'] = answer('Book shipping', i => ({ shipmentId: `s-${i.input.orderId}` }));
    for (const step of STEPS) states[`${step}: undo`] = answer(`${step}: undo`, () => ({ undone: step }));
    return {
      states: Object.fromEntries(Object.entries(states).filter(([name]) => tasks.has(name))),
      resources: {
        'arn:aws:states:::sqs:sendMessage': (input: any) => {
          this.messages.push(JSON.parse(input.MessageBody));
          return { MessageId: `m-${this.messages.length}` };
        },
      },
    };
  }

  /** The compensations that ran to the end, in order. */
  public get undone(): string[] {
    return this.calls.filter(c => c.state.endsWith(': undo') && !this.threw(c)).map(c => c.state.replace(/: undo$/, ''));
  }

  private threw(call: { state: string; attempt: number }): boolean {
    const planned = this.failures[call.state];
    return planned !== undefined && planned[Math.min(call.attempt, planned.length) - 1] !== undefined;
  }
}

export const EXECUTION_NAME = 'order-42';
export const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:LocalStateMachine:${EXECUTION_NAME}`;

/** When the test executions start. */
export const START = new Date('2026-12-01T10:00:00.000Z');

/** The ids of a saga's entries in a run, in order: what its begin state assigned, as the history records it. */
export function entriesOf(run: Pick<LocalRunResult, 'events'>, saga = 'Order'): string[] {
  const variable = `saga_${saga.replace(/[^A-Za-z0-9_]/g, '_')}_entry`;
  return run.events
    .map(e => (e as any).stateExitedEventDetails)
    .filter(d => d?.name === `${saga}: begin`)
    .map(d => JSON.parse(d.assignedVariables[variable]));
}

/** The idempotency key a step gets, as the Saga documents it: over the execution, the saga's entry and the step. */
export function expectedKey(step: string, entry: string, executionArn = EXECUTION_ARN): string {
  return crypto.createHash('sha256').update(`${executionArn}/${entry}/${step}`, 'utf8').digest('hex');
}

export async function runOrder(asl: any, services: OrderServices, input: unknown = { orderId: 'o-42' }, name = EXECUTION_NAME): Promise<LocalRunResult> {
  return runLocally(asl, { input, ...services.options(asl), context: { Execution: { Name: name } }, seed: 7, startTime: START });
}
