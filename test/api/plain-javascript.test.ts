/**
 * The public API called as plain JavaScript (and, through jsii, Python, Java, .NET and Go) can call
 * it: without the optional arguments, and with a required value missing. The list of calls comes
 * from the jsii assembly (.jsii), so a new public method or constructor fails this test until it is
 * covered here.
 * - Called with its required arguments only, every callable works.
 * - With one required argument, or one required field of its props, left out, it fails with the
 *   library's message (naming the construct or method, the value and the fix), never a TypeError.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as lib from '../../src';
import { expectCompiledLibrary, ROOT } from '../support/package';

interface JsiiParameter { name: string; optional?: boolean; variadic?: boolean; type: { fqn?: string } }
interface JsiiCallable { name?: string; static?: boolean; parameters?: JsiiParameter[] }
interface JsiiType {
  kind: string;
  name: string;
  fqn: string;
  datatype?: boolean;
  initializer?: JsiiCallable;
  methods?: JsiiCallable[];
  properties?: Array<{ name: string; optional?: boolean; type: { primitive?: string; fqn?: string } }>;
  interfaces?: string[];
}

/** How to call one callable: valid values for all its parameters, and the call. */
interface Call {
  /** Valid values for every parameter, in order (a new app for each call). */
  readonly args: (stack: Stack) => unknown[];
  /** Makes the call; `stack` is the one the arguments were made in. */
  readonly call: (stack: Stack, args: unknown[]) => unknown;
}

const newStack = () => new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
const fn = (stack: Stack, id = 'Fn') => new lambda.Function(stack, id, {
  runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'),
});
const role = (stack: Stack) => new iam.Role(stack, 'Grantee', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const bucket = (stack: Stack) => new s3.Bucket(stack, 'Data');
const workflow = (stack: Stack, type = lib.WorkflowType.standard()) =>
  new lib.Workflow(stack, 'Flow', { definition: new sfn.Pass(stack, 'Start'), type });
const csvMap = (stack: Stack) => new lib.FanOutMap(stack, 'Map', {
  items: lib.ItemSource.s3Csv(bucket(stack), 'in.csv', { headers: sfn.CsvHeaders.useFirstRow() }),
  processor: lib.FanOutProcessor.lambda(fn(stack, 'Each')),
});
const gate = (stack: Stack) => new lib.ApprovalGate(stack, 'Gate', { timeout: Duration.hours(1), summary: 'Approve?' });
const saga = (stack: Stack) => new lib.Saga(stack, 'Order', { steps: [lib.SagaStep.lambda('Pay', { action: fn(stack), compensation: fn(stack, 'Refund') })] });

/** `Class.method` (`Class.new` for the constructor) → how to call it. */
const CALLS: Record<string, Call> = {
  'Workflow.new': { args: s => [s, 'Flow', { definition: new sfn.Pass(s, 'Start') }], call: (_s, a) => new (lib.Workflow as any)(...a) },
  ...Object.fromEntries(['grantStartExecution', 'grantRead', 'grantTaskResponse'].map(m => [`Workflow.${m}`, {
    args: (s: Stack) => [role(s)], call: (s: Stack, a: unknown[]) => (workflow(s) as any)[m](...a),
  }])),
  'Workflow.grantStartSyncExecution': { args: s => [role(s)], call: (s, a) => (workflow(s, lib.WorkflowType.expressSync()) as any).grantStartSyncExecution(...a) },
  'Workflow.grantExecution': { args: s => [role(s), 'states:DescribeExecution'], call: (s, a) => (workflow(s) as any).grantExecution(...a) },
  'Workflow.grant': { args: s => [role(s), 'states:DescribeStateMachine'], call: (s, a) => (workflow(s) as any).grant(...a) },
  'Workflow.metric': { args: () => ['ExecutionsFailed', { period: Duration.minutes(1) }], call: (s, a) => (workflow(s) as any).metric(...a) },
  ...Object.fromEntries(['metricFailed', 'metricTimedOut', 'metricThrottled', 'metricAborted', 'metricSucceeded', 'metricStarted', 'metricTime'].map(m => [`Workflow.${m}`, {
    args: () => [{ period: Duration.minutes(1) }], call: (s: Stack, a: unknown[]) => (workflow(s) as any)[m](...a),
  }])),
  'Workflow.addSchedule': { args: () => ['Nightly', events.Schedule.rate(Duration.days(1)), { retryAttempts: 3 }], call: (s, a) => (workflow(s) as any).addSchedule(...a) },
  'Workflow.addEventTrigger': { args: () => ['OnUpload', { source: ['aws.s3'] }, { retryAttempts: 3 }], call: (s, a) => (workflow(s) as any).addEventTrigger(...a) },
  'Workflow.asNestedTask': { args: s => [s, 'Run child', { resultPath: '$.child' }], call: (s, a) => (workflow(s) as any).asNestedTask(...a) },
  'WorkflowRestApi.new': {
    args: s => [s, 'Api', { workflow: workflow(s, lib.WorkflowType.expressSync()) }], call: (_s, a) => new (lib.WorkflowRestApi as any)(...a),
  },
  'ResilientLambdaInvoke.new': { args: s => [s, 'Invoke', { lambdaFunction: fn(s) }], call: (_s, a) => new (lib.ResilientLambdaInvoke as any)(...a) },
  'ResilientLambdaInvoke.jsonata': { args: s => [s, 'Invoke', { lambdaFunction: fn(s) }], call: (_s, a) => (lib.ResilientLambdaInvoke as any).jsonata(...a) },
  'ResilientLambdaInvoke.jsonPath': { args: s => [s, 'Invoke', { lambdaFunction: fn(s) }], call: (_s, a) => (lib.ResilientLambdaInvoke as any).jsonPath(...a) },
  'ActivityTask.new': { args: s => [s, 'Print label', { retryAttempts: 1 }], call: (_s, a) => new (lib.ActivityTask as any)(...a) },
  'ActivityTask.grantWorker': { args: s => [role(s)], call: (s, a) => (new lib.ActivityTask(s, 'Print label') as any).grantWorker(...a) },
  'ContainerTask.new': {
    args: s => {
      const taskDefinition = new ecs.FargateTaskDefinition(s, 'Report');
      taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('node') });
      return [s, 'Build report', { taskDefinition, vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 1, natGateways: 1 }) }];
    },
    call: (_s, a) => new (lib.ContainerTask as any)(...a),
  },
  'HttpTask.new': {
    args: s => [s, 'Charge', { apiRoot: 'https://api.example.com', authorization: lib.HttpAuthorization.apiKey('x-api-key', SecretValue.secretsManager('k')) }],
    call: (_s, a) => new (lib.HttpTask as any)(...a),
  },
  'HttpAuthorization.apiKey': { args: () => ['x-api-key', SecretValue.secretsManager('k')], call: (_s, a) => (lib.HttpAuthorization as any).apiKey(...a) },
  'HttpAuthorization.basic': { args: () => ['svc', SecretValue.secretsManager('k')], call: (_s, a) => (lib.HttpAuthorization as any).basic(...a) },
  'HttpAuthorization.oauthClientCredentials': {
    args: () => [{ authorizationEndpoint: 'https://auth.example.com/token', clientId: 'c', clientSecret: SecretValue.secretsManager('k') }],
    call: (_s, a) => (lib.HttpAuthorization as any).oauthClientCredentials(...a),
  },
  'HttpAuthorization.fromConnection': {
    args: s => [new events.Connection(s, 'Conn', { authorization: events.Authorization.apiKey('k', SecretValue.secretsManager('k')) })],
    call: (_s, a) => (lib.HttpAuthorization as any).fromConnection(...a),
  },
  'HttpErrors.statusCode': { args: () => [404], call: (_s, a) => (lib.HttpErrors as any).statusCode(...a) },
  'LambdaRetry.props': { args: () => [{ maxAttempts: 3 }], call: (_s, a) => (lib.LambdaRetry as any).props(...a) },
  'LambdaRetry.addTo': {
    args: s => [new tasks.LambdaInvoke(s, 'Invoke', { lambdaFunction: fn(s) }), { maxAttempts: 3 }], call: (_s, a) => (lib.LambdaRetry as any).addTo(...a),
  },
  'FanOutMap.new': {
    args: s => [s, 'Map', { items: lib.ItemSource.jsonArray('$.items'), processor: lib.FanOutProcessor.lambda(fn(s, 'Each')) }],
    call: (_s, a) => new (lib.FanOutMap as any)(...a),
  },
  'FanOutMap.addCatch': { args: s => [new sfn.Fail(s, 'Failed'), { errors: ['States.ALL'] }], call: (s, a) => (csvMap(s) as any).addCatch(...a) },
  'FanOutMap.addRetry': { args: () => [{ maxAttempts: 2 }], call: (s, a) => (csvMap(s) as any).addRetry(...a) },
  'FanOutMap.grantReadResults': { args: s => [role(s)], call: (s, a) => (csvMap(s) as any).grantReadResults(...a) },
  'FanOutProcessor.lambda': { args: s => [fn(s), { catchErrors: ['Bad'] }], call: (_s, a) => (lib.FanOutProcessor as any).lambda(...a) },
  'FanOutProcessor.chain': { args: s => [new sfn.Pass(s, 'Each')], call: (_s, a) => (lib.FanOutProcessor as any).chain(...a) },
  'ItemSource.jsonArray': { args: () => ['$.items'], call: (_s, a) => (lib.ItemSource as any).jsonArray(...a) },
  'ItemSource.s3Objects': { args: s => [bucket(s), 'in/', { maxItems: 10 }], call: (_s, a) => (lib.ItemSource as any).s3Objects(...a) },
  ...Object.fromEntries(['s3Json', 's3JsonLines', 's3Manifest'].map(m => [`ItemSource.${m}`, {
    args: (s: Stack) => [bucket(s), 'in/data', { maxItems: 10 }], call: (_s: Stack, a: unknown[]) => (lib.ItemSource as any)[m](...a),
  }])),
  // A CSV source is checked where it is used: the map that reads it.
  'ItemSource.s3Csv': {
    args: s => [bucket(s), 'in.csv', { headers: sfn.CsvHeaders.useFirstRow(), delimiter: sfn.CsvDelimiter.SEMICOLON }],
    call: (s, a) => new lib.FanOutMap(s, 'Map', {
      items: (lib.ItemSource as any).s3Csv(...a), processor: lib.FanOutProcessor.lambda(fn(s, 'Each')),
    }),
  },
  'ToleratedFailure.percentage': { args: () => [5], call: (_s, a) => (lib.ToleratedFailure as any).percentage(...a) },
  'ToleratedFailure.count': { args: () => [5], call: (_s, a) => (lib.ToleratedFailure as any).count(...a) },
  'ToleratedFailure.percentageAt': { args: () => ['$.tolerance'], call: (_s, a) => (lib.ToleratedFailure as any).percentageAt(...a) },
  'ToleratedFailure.countAt': { args: () => ['$.tolerance'], call: (_s, a) => (lib.ToleratedFailure as any).countAt(...a) },
  'StockTradingWorkflow.new': { args: s => [s, 'Trading', { approvalThreshold: 50 }], call: (_s, a) => new (lib.StockTradingWorkflow as any)(...a) },
  'StockTradingWorkflow.grantStartExecution': {
    args: s => [role(s)], call: (s, a) => (new lib.StockTradingWorkflow(s, 'Trading') as any).grantStartExecution(...a),
  },
  'ApprovalGate.new': { args: s => [s, 'Gate', { timeout: Duration.hours(1), summary: 'Approve?' }], call: (_s, a) => new (lib.ApprovalGate as any)(...a) },
  'ApprovalGate.addStateMachine': {
    args: s => [new sfn.StateMachine(s, 'Raw', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'Other')) })],
    call: (s, a) => (gate(s) as any).addStateMachine(...a),
  },
  'ApprovalGate.grantReadRecords': { args: s => [role(s)], call: (s, a) => (gate(s) as any).grantReadRecords(...a) },
  'ApprovalGate.metricUndeliverableDecisions': { args: () => [{ period: Duration.minutes(10) }], call: (s, a) => (gate(s) as any).metricUndeliverableDecisions(...a) },
  'ApprovalService.new': { args: s => [s, 'Approvals', {}], call: (_s, a) => new (lib.ApprovalService as any)(...a) },
  'ApprovalService.grantReadRecords': { args: s => [role(s)], call: (s, a) => (new lib.ApprovalService(s, 'Approvals') as any).grantReadRecords(...a) },
  'ApprovalService.metricUndeliverableDecisions': {
    args: () => [{ period: Duration.minutes(10) }], call: (s, a) => (new lib.ApprovalService(s, 'Approvals') as any).metricUndeliverableDecisions(...a),
  },
  'Saga.new': {
    args: s => [s, 'Order', { steps: [lib.SagaStep.lambda('Pay', { action: fn(s) })], queryLanguage: sfn.QueryLanguage.JSONATA }],
    call: (_s, a) => new (lib.Saga as any)(...a),
  },
  'Saga.idempotencyKey': { args: () => ['Pay', sfn.QueryLanguage.JSONATA, '{% $states.input.orderId %}', 'Order'], call: (_s, a) => (lib.Saga as any).idempotencyKey(...a) },
  'Saga.grantConsumeRecords': { args: s => [role(s)], call: (s, a) => (saga(s) as any).grantConsumeRecords(...a) },
  'Saga.metricNotUndone': { args: () => [{ period: Duration.minutes(1) }], call: (s, a) => (saga(s) as any).metricNotUndone(...a) },
  'SagaStep.lambda': { args: s => ['Pay', { action: fn(s), compensation: fn(s, 'Refund'), resultField: 'paid' }], call: (_s, a) => (lib.SagaStep as any).lambda(...a) },
  'SagaStep.of': { args: s => ['Pay', { action: new sfn.Pass(s, 'Charge'), compensation: new sfn.Pass(s, 'Refund') }], call: (_s, a) => (lib.SagaStep as any).of(...a) },
  'TryFinally.new': {
    args: s => [s, 'Guard', { body: new sfn.Pass(s, 'Body'), cleanup: new sfn.Pass(s, 'Clean'), outcomePath: '$.result' }],
    call: (_s, a) => new (lib.TryFinally as any)(...a),
  },
};

function assembly(): Record<string, JsiiType> {
  expectCompiledLibrary();
  return JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8')).types;
}

/** Every public constructor and method that takes arguments, with its parameters. */
function callables(types: Record<string, JsiiType>): Array<[string, JsiiParameter[]]> {
  return Object.values(types).filter(t => t.kind === 'class').flatMap(t => [
    ...(t.initializer?.parameters?.length ? [[`${t.name}.new`, t.initializer.parameters] as [string, JsiiParameter[]]] : []),
    ...(t.methods ?? []).filter(m => m.parameters?.length).map(m => [`${t.name}.${m.name}`, m.parameters!] as [string, JsiiParameter[]]),
  ]);
}

/** Calls and returns the error thrown, or undefined. */
function errorOf(run: () => unknown): Error | undefined {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

const types = assembly();
const all = callables(types);
/** The construct scope and id: checked by the constructs library, like every construct's. */
const constructArgs = (name: string, i: number) => name.endsWith('.new') && i < 2;

describe('the public API as plain JavaScript calls it', () => {
  test('every public constructor and method that takes arguments is covered here', () => {
    expect(all.map(([name]) => name).sort()).toEqual(Object.keys(CALLS).sort());
  });

  test.each(all)('%s works with its required arguments only', (name, parameters) => {
    const stack = newStack();
    const { args, call } = CALLS[name];
    const given = args(stack);
    expect(given.length).toBe(parameters.length);
    const requiredOnly = given.map((a, i) => (parameters[i].optional || parameters[i].variadic ? undefined : a));
    while (requiredOnly.length > 0 && requiredOnly[requiredOnly.length - 1] === undefined) requiredOnly.pop();
    expect(errorOf(() => call(stack, requiredOnly))).toBeUndefined();
    // And with every argument, as TypeScript calls it.
    expect(errorOf(() => call(newStack(), args(newStack())))).toBeUndefined();
  });

  const missing = all.flatMap(([name, parameters]) => parameters.flatMap((p, i) => {
    if (p.optional || p.variadic || constructArgs(name, i)) return [];
    const struct = p.type.fqn ? types[p.type.fqn] : undefined;
    const fields = struct?.datatype ? (struct.properties ?? []).filter(f => !f.optional).map(f => f.name) : [];
    return [
      [name, p.name, i, undefined] as const,
      ...fields.map(field => [name, `${p.name}.${field}`, i, field] as const),
    ];
  }));

  test.each(missing)('fails when %s is given no %s', (name, what, i, field) => {
    const stack = newStack();
    const { args, call } = CALLS[name];
    const given = args(stack);
    given[i] = field === undefined ? undefined : { ...(given[i] as object), [field]: undefined };
    const error = errorOf(() => call(stack, given));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    const [owner] = name.split('.');
    const valueName = field ?? (what === 'props' ? 'props' : what);
    // Names the construct or method, the value and what to give.
    expect(error!.message).toMatch(new RegExp(`^(${owner}|FanOutMap)\\b`));
    expect(error!.message).toMatch(new RegExp(`\\b${valueName}\\b`));
    expect(error!.message).toMatch(/give|use/);
  });
});

describe('every prop of every props struct, given a value of the wrong type (plain JavaScript)', () => {
  /** A struct's fields, its bases' (in this assembly) included. */
  const fieldsOf = (struct: JsiiType): NonNullable<JsiiType['properties']> =>
    [...(struct.properties ?? []), ...(struct.interfaces ?? []).flatMap(base => (types[base] ? fieldsOf(types[base]) : []))];
  /** A value no field of that type takes: a number for a string, a string for anything else. */
  const wrongFor = (type: { primitive?: string }) => (type.primitive === 'string' ? 42 : type.primitive === 'number' ? 'ten' : type.primitive === 'boolean' ? 'yes' : 'wrong');
  const cases = all.flatMap(([name, parameters]) => parameters.flatMap((p, i) => {
    const struct = p.type.fqn ? types[p.type.fqn] : undefined;
    if (!struct?.datatype) return [];
    return fieldsOf(struct).filter(f => f.type.primitive !== 'any' && f.type.primitive !== 'json')
      .map(f => [name, `${p.name}.${f.name}`, i, f.name, wrongFor(f.type)] as const);
  }));

  test('covers the fields of every struct a public callable takes', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  test.each(cases)('%s with %s of the wrong type: the library\'s message, naming the caller and the field', (name, _what, i, field, wrong) => {
    const stack = newStack();
    const { args, call } = CALLS[name];
    const given = args(stack);
    given[i] = { ...(given[i] as object), [field]: wrong };
    const error = errorOf(() => {
      call(stack, given);
      Template.fromStack(stack);
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    const [owner] = name.split('.');
    expect(error!.message).toMatch(new RegExp(`^(${owner}|LambdaRetry|FanOutMap|Workflow)\\b[^:]*: (.*\\b)?${field}\\b`));
  });
});
