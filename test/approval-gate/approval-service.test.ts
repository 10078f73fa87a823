/**
 * An ApprovalService shared by several gates: what it creates once and what each gate adds, that a
 * link of one gate never decides another's request, and both workflows run end to end.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { App, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { Construct } from 'constructs';
import { ApprovalGate, ApprovalService, StockTradingWorkflow, Workflow } from '../../src';
import { handler as decide, signingKey as decisionKey } from '../../src/approval-gate/decision.lambda';
import { handler as request, signingKey as requestKey } from '../../src/approval-gate/request.lambda';
import { handler as sweep } from '../../src/approval-gate/sweep.lambda';
import { linkUrl } from '../../src/private/approval/links';
import { approve, reject, runWorkflow } from '../../src/testing';
import { DECISION_URL, KEY, KEY_TEXT, event, form } from '../support/approval-events';
import { aslOf, logicalIdOf } from '../support/asl';
import { FakeDynamoDB } from '../support/fake-dynamodb';
import { expectNagClean } from '../support/nag';
import { synthErrors } from '../support/synth';

const ENV = { account: '123456789012', region: 'us-east-1' };

function newStack(id = 'Approvals', app = new App()): Stack {
  return new Stack(app, id, { env: ENV });
}

/** A gated workflow: the gate, then a Pass, in a Workflow of its own. */
function gatedWorkflow(stack: Stack, id: string, service?: ApprovalService, approver = `${id.toLowerCase()}@example.com`) {
  const gate = new ApprovalGate(stack, `${id} gate`, {
    service, timeout: Duration.hours(1), summary: sfn.JsonPath.format('Order {}', sfn.JsonPath.stringAt('$.orderId')), approverEmails: [approver],
  });
  const workflow = new Workflow(stack, id, { definition: gate.next(new sfn.Pass(stack, `${id} done`)) });
  return { gate, workflow };
}

const count = (t: Template, type: string) => Object.keys(t.findResources(type)).length;
const resources = (stack: Stack) => Object.keys(Template.fromStack(stack).toJSON().Resources).length;

describe('one service, many gates', () => {
  test('the endpoint, the table, the key, the three functions and the alarm are made once; each gate adds its topic and subscription', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const a = gatedWorkflow(stack, 'Orders', service);
    const b = gatedWorkflow(stack, 'Refunds', service);
    const t = Template.fromStack(stack);
    expect(count(t, 'AWS::ApiGateway::RestApi')).toBe(1);
    expect(count(t, 'AWS::DynamoDB::Table')).toBe(1);
    expect(count(t, 'AWS::SecretsManager::Secret')).toBe(1);
    expect(count(t, 'AWS::Lambda::Function')).toBe(3);
    expect(count(t, 'AWS::CloudWatch::Alarm')).toBe(1 + 2 * 4);
    expect(count(t, 'AWS::SNS::Topic')).toBe(2);
    expect(count(t, 'AWS::SNS::Subscription')).toBe(2);
    // The gates are the service's: what they expose is the service's.
    for (const { gate } of [a, b]) {
      expect(gate.service).toBe(service);
      expect(gate.table).toBe(service.table);
      expect(gate.requestFunction).toBe(service.requestFunction);
      expect(gate.decisionUrl).toBe(service.decisionUrl);
    }
    expect(a.gate.topic).not.toBe(b.gate.topic);
  });

  test('each more gated workflow adds at most 12 resources, 11 with one approver; without a service, 41', () => {
    const perGate = (service: boolean) => {
      const stack = newStack();
      const shared = service ? new ApprovalService(stack, 'Approvals') : undefined;
      gatedWorkflow(stack, 'First', shared);
      const before = resources(stack);
      const after = newStack('Again');
      const again = service ? new ApprovalService(after, 'Approvals') : undefined;
      gatedWorkflow(after, 'First', again);
      gatedWorkflow(after, 'Second', again);
      return resources(after) - before;
    };
    expect(perGate(true)).toBe(11);
    expect(perGate(false)).toBe(41);
  });

  test('each gate\'s task names its gate and its settings; the service\'s request function has none of them in its environment', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const { gate, workflow } = gatedWorkflow(stack, 'Orders', service);
    const payload = aslOf(stack, workflow.stateMachine).States['Orders gate'].Parameters.Payload;
    expect(payload.gate).toEqual({
      id: gate.node.addr,
      topicArn: expect.stringContaining(':sns:us-east-1:123456789012:'),
      recipients: ['orders@example.com'],
      subject: 'Approval requested: Orders gate',
      timeoutSeconds: 3600,
      reminderSeconds: 0,
    });
    const variables = Template.fromStack(stack).toJSON().Resources[logicalIdOf(service.requestFunction)].Properties.Environment.Variables;
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['DECISION_URL', 'RETENTION_SECONDS', 'SIGNING_KEY_SECRET_ARN', 'TABLE_NAME']));
    for (const gateSetting of ['TOPIC_ARN', 'RECIPIENTS', 'SUBJECT', 'TIMEOUT_SECONDS', 'REMINDER_SECONDS']) expect(variables).not.toHaveProperty(gateSetting);
  });

  test('grants: each topic lets the request function publish; one policy lets the three functions answer exactly the gates\' workflows', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const a = gatedWorkflow(stack, 'Orders', service);
    const b = gatedWorkflow(stack, 'Refunds', service);
    const unrelated = new Workflow(stack, 'Unrelated', { definition: new sfn.Pass(stack, 'Nothing') });
    const t = Template.fromStack(stack);
    for (const { gate } of [a, b]) {
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: logicalIdOf(gate.topic) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: 'sns:Publish',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::GetAtt': [logicalIdOf(service.requestFunction.role!), 'Arn'] } },
            Resource: { Ref: logicalIdOf(gate.topic) },
          })]),
        },
      });
    }
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter(p => JSON.stringify(p).includes('states:SendTaskSuccess'));
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    const roles = [service.decisionFunction, service.sweepFunction, service.requestFunction].map(f => ({ Ref: logicalIdOf(f.role!) }));
    expect(policy.Properties.Roles).toEqual(roles);
    const family = (machine: sfn.StateMachine) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:*:', { 'Fn::GetAtt': [logicalIdOf(machine), 'Name'] }, '*']],
    });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Action: ['states:SendTaskSuccess', 'states:GetExecutionHistory'], Effect: 'Allow', Resource: [family(a.workflow.stateMachine), family(b.workflow.stateMachine)],
    }]);
    expect(JSON.stringify(policy)).not.toContain(logicalIdOf(unrelated.stateMachine));
    // Nothing of a gate grows the service's roles' own policies.
    const roleText = JSON.stringify(Object.values(t.findResources('AWS::IAM::Policy')).filter(p => p !== policy));
    expect(roleText).not.toContain(logicalIdOf(a.gate.topic));
    expectNagClean(stack);
  });

  test('each gate is bound only to the workflow that holds it, though all share one request function', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const long = new ApprovalGate(stack, 'Long', { service, timeout: Duration.hours(2), summary: 's', onApproved: new sfn.Pass(stack, 'Long ok') });
    new Workflow(stack, 'Patient', { definition: long });
    const short = new ApprovalGate(stack, 'Short', { service, timeout: Duration.minutes(10), summary: 's', onApproved: new sfn.Pass(stack, 'Short ok') });
    new Workflow(stack, 'Hurried', { definition: short, timeout: Duration.minutes(30) });
    // The long gate would not fit the hurried workflow: it is not checked against it, as it is not in it.
    expect(synthErrors(stack)).toBe('');
  });

  test('a workflow given a name of yours is granted exactly (its name may begin another\'s); one named by CloudFormation, with one pattern', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const gate = new ApprovalGate(stack, 'Gate', { service, timeout: Duration.hours(1), summary: 's', onApproved: new sfn.Pass(stack, 'Ok') });
    new Workflow(stack, 'Named', { definition: gate, workflowName: 'orders' });
    gatedWorkflow(stack, 'Generated', service);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(p => JSON.stringify(p).includes('states:SendTaskSuccess'))!;
    const granted: unknown[] = policy.Properties.PolicyDocument.Statement[0].Resource;
    const named = logicalIdOf(stack.node.findChild('Named').node.defaultChild!);
    const generated = logicalIdOf(stack.node.findChild('Generated').node.defaultChild!);
    const execution = (suffix: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:execution:', { 'Fn::GetAtt': [named, 'Name'] }, suffix]],
    });
    expect(granted).toEqual([
      { Ref: named }, execution(':*'), execution('/*'),
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:*:', { 'Fn::GetAtt': [generated, 'Name'] }, '*']] },
    ]);
    expectNagClean(stack);
  });

  test('a gate with reminders: the service reminds on one schedule, and its pending index holds each request\'s gate settings', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    for (const [id, hours] of [['Gate', 2], ['Other', 1]] as const) {
      const gate = new ApprovalGate(stack, id, { service, timeout: Duration.hours(8), summary: 's', reminderInterval: Duration.hours(hours), onApproved: new sfn.Pass(stack, `${id} ok`) });
      new Workflow(stack, `${id} flow`, { definition: gate });
    }
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Events::Rule', 2);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Input: '{"reminder":true}' })] });
    const indexes = Object.values(t.findResources('AWS::DynamoDB::Table'))[0].Properties.GlobalSecondaryIndexes;
    expect(indexes.find((i: any) => i.IndexName === 'pending').Projection.NonKeyAttributes)
      .toEqual(['summary', 'executionArn', 'recipients', 'notifiedAt', 'gate', 'topicArn', 'subject', 'reminderSeconds']);
  });

  test('a StockTradingWorkflow takes the service too', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const trades = new StockTradingWorkflow(stack, 'Trades', { approval: { service, approverEmails: ['desk@example.com'] }, removalPolicy: RemovalPolicy.DESTROY });
    expect(trades.approvalGate.service).toBe(service);
    expect(count(Template.fromStack(stack), 'AWS::ApiGateway::RestApi')).toBe(1);
  });
});

describe('across stacks', () => {
  test('the service in one stack, gates in two others: the gates\' stacks depend on the service\'s, never the other way', () => {
    const app = new App();
    const shared = newStack('Shared', app);
    const service = new ApprovalService(shared, 'Approvals');
    const orders = newStack('Orders', app);
    const refunds = newStack('Refunds', app);
    const a = gatedWorkflow(orders, 'Orders', service);
    gatedWorkflow(refunds, 'Refunds', service);
    const assembly = app.synth();
    expect(JSON.stringify(assembly.getStackByName('Shared').template)).not.toContain('Fn::ImportValue');
    expect(orders.dependencies.map(s => s.stackName)).toEqual(['Shared']);
    expect(refunds.dependencies.map(s => s.stackName)).toEqual(['Shared']);
    const grants = Object.values(Template.fromStack(orders).findResources('AWS::IAM::Policy')).find(p => JSON.stringify(p).includes('states:SendTaskSuccess'))!;
    expect(grants.Properties.Roles).toHaveLength(3);
    expect(JSON.stringify(grants.Properties.Roles)).toContain('Fn::ImportValue');
    expect(JSON.stringify(grants)).toContain(logicalIdOf(a.workflow.stateMachine));
    expectNagClean(orders);
  });

  test('fails when the gate is in another region than its service', () => {
    const app = new App();
    const service = new ApprovalService(new Stack(app, 'Shared', { env: ENV }), 'Approvals');
    const far = new Stack(app, 'Far', { env: { ...ENV, region: 'eu-west-1' } });
    expect(() => gatedWorkflow(far, 'Orders', service)).toThrow("ApprovalGate 'Orders gate': its service ApprovalService 'Approvals' is in stack Shared (region us-east-1), "
      + 'and the gate in stack Far (region eu-west-1); a service serves the gates of its own account and region: give the gate a service there');
  });

  test('the service in a nested stack, the gates in its parent', () => {
    const parent = newStack('Parent');
    const service = new ApprovalService(new NestedStack(parent, 'Approvals'), 'Approvals');
    gatedWorkflow(parent, 'Orders', service);
    expect(synthErrors(parent)).toBe('');
    expect(count(Template.fromStack(parent), 'AWS::SNS::Topic')).toBe(1);
  });

  test('fails when the gate is in another app than its service', () => {
    const service = new ApprovalService(newStack('Shared'), 'Approvals');
    expect(() => gatedWorkflow(newStack('Other'), 'Orders', service)).toThrow("ApprovalGate 'Orders gate': its service ApprovalService 'Approvals' is in another app");
  });
});

describe('validation', () => {
  test('fails when the gate is given a setting of the service it shares', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    expect(() => new ApprovalGate(stack, 'Gate', { service, timeout: Duration.hours(1), summary: 's', recordRetention: Duration.days(7), decisionConcurrency: 2 }))
      .toThrow("ApprovalGate 'Gate': recordRetention, decisionConcurrency are settings of the ApprovalService the gate shares; give them to the service "
        + "(new ApprovalService(this, 'Approvals', { recordRetention: ... })), not to the gate");
    expect(() => new ApprovalGate(stack, 'Gate3', { service, timeout: Duration.hours(1), summary: 's', cloudWatchRole: true }))
      .toThrow("ApprovalGate 'Gate3': cloudWatchRole is a setting of the ApprovalService the gate shares");
    expect(new ApprovalGate(stack, 'Gate4', { service, timeout: Duration.hours(1), summary: 's', cloudWatchRole: false }).service).toBe(service);
  });

  test('fails when the subject is not what SNS takes; a subject made from the id is made to fit', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    for (const subject of ['', 'x'.repeat(100), 'Approve\nnow', 'Genehmigung für Müller']) {
      expect(() => new ApprovalGate(stack, `Gate${subject.length}`, { service, timeout: Duration.hours(1), summary: 's', subject }))
        .toThrow(`ApprovalGate 'Gate${subject.length}': subject must be 1 to 99 printable ASCII characters, as SNS takes for an email subject (got ${JSON.stringify(subject)})`);
    }
    const { gate, workflow } = gatedWorkflow(stack, 'Genehmigung für Müller', service, 'lead@example.com');
    const payload = aslOf(stack, workflow.stateMachine).States[gate.requestTask.stateId].Parameters.Payload;
    expect(payload.gate.subject).toBe('Approval requested: Genehmigung f r M ller gate');
  });

  test('fails when service is not an ApprovalService (plain JavaScript)', () => {
    const stack = newStack();
    expect(() => new ApprovalGate(stack, 'Gate', { service: { node: stack.node } as any, timeout: Duration.hours(1), summary: 's' }))
      .toThrow(/ApprovalGate 'Gate': service must be an ApprovalService/);
    expect(() => new ApprovalGate(stack, 'Gate2', { service: 'approvals' as any, timeout: Duration.hours(1), summary: 's' }))
      .toThrow(/ApprovalGate 'Gate2': service must be an ApprovalService/);
  });

  test('fails when a service answers more workflows than its roles\' policies hold', () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    for (let i = 0; i < 61; i++) {
      const gate = new ApprovalGate(stack, `Gate${i}`, { service, timeout: Duration.hours(1), summary: 's' });
      new Workflow(stack, `Flow${i}`, { definition: gate.next(new sfn.Pass(stack, `Done${i}`)) });
    }
    expect(synthErrors(stack)).toContain("ApprovalService 'Approvals' answers 61 workflows, more than its functions' roles can be granted (60, a workflow given a name of yours counting 3");
  });

  test('fails when ApprovalService props have the wrong type (plain JavaScript)', () => {
    expect(() => new ApprovalService(newStack(), 'Approvals', { decisionConcurrency: 0 }))
      .toThrow("ApprovalService 'Approvals': decisionConcurrency must be a whole number from 1 to 1000 (got 0)");
    expect(() => new ApprovalService(newStack(), 'Approvals', { recordRetention: 7 as any }))
      .toThrow(/ApprovalService 'Approvals': recordRetention must be a Duration/);
  });
});

describe('two gates, one service: each link decides only its own gate\'s request', () => {
  const GATE_A = 'c8a1f0000000000000000000000000000000000aa';
  const GATE_B = 'c8b2f0000000000000000000000000000000000bb';
  const TABLE = 'Requests';
  let ddb: FakeDynamoDB;
  const sns = mockClient(SNSClient);
  const sfnClient = mockClient(SFNClient);
  const secrets = mockClient(SecretsManagerClient);

  const gateConfig = (id: string, topic: string) => ({
    id, topicArn: `arn:aws:sns:us-east-1:123456789012:${topic}`, recipients: [`${topic.toLowerCase()}@example.com`], subject: `${topic} approval`, timeoutSeconds: 3600, reminderSeconds: 0,
  });
  const ids = { a: '0000000a-5b0e-4d8e-9a57-1f3e9c0b7d21', b: '0000000b-5b0e-4d8e-9a57-1f3e9c0b7d21' };

  beforeEach(async () => {
    for (const name of ['TOPIC_ARN', 'TIMEOUT_SECONDS', 'RECIPIENTS', 'SUBJECT', 'REMINDER_SECONDS']) delete process.env[name];
    Object.assign(process.env, { TABLE_NAME: TABLE, SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:Key', DECISION_URL, RETENTION_SECONDS: '86400' });
    ddb = new FakeDynamoDB();
    ddb.addTable(TABLE, 'requestId');
    sns.reset();
    sfnClient.reset();
    secrets.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    sfnClient.on(SendTaskSuccessCommand).resolves({});
    secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY_TEXT });
    requestKey.clear();
    decisionKey.clear();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await request({ taskToken: 'token-a', requestId: ids.a, summary: 'Order 1', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Orders:1', gate: gateConfig(GATE_A, 'Orders') });
    await request({
      taskToken: 'token-b',
      requestId: ids.b,
      summary: 'Refund 2',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Refunds:2',
      gate: { ...gateConfig(GATE_B, 'Refunds'), reminderSeconds: 1800 },
    });
  });

  afterEach(() => {
    ddb.restore();
    jest.restoreAllMocks();
  });

  const linkOf = (topic: string, action: 'Approve' | 'Reject') => {
    const message = sns.commandCalls(PublishCommand).map(c => c.args[0].input).find(m => m.TopicArn!.endsWith(`:${topic}`))!;
    return Object.fromEntries(new URL(message.Message!.match(new RegExp(`${action}:\\s+(\\S+)`))![1]).searchParams.entries());
  };
  const status = (requestId: string) => ddb.items(TABLE).find(i => i.requestId.S === requestId)!.status.S;

  test('each request is stored with its gate and sent to its gate\'s topic, with links that name the gate', () => {
    const published = sns.commandCalls(PublishCommand).map(c => c.args[0].input);
    expect(published.map(m => [m.TopicArn, m.Subject])).toEqual([
      ['arn:aws:sns:us-east-1:123456789012:Orders', 'Orders approval'], ['arn:aws:sns:us-east-1:123456789012:Refunds', 'Refunds approval'],
    ]);
    expect(linkOf('Orders', 'Approve').g).toBe(GATE_A);
    expect(ddb.items(TABLE).map(i => [i.requestId.S, i.gate.S])).toEqual([[ids.a, GATE_A], [ids.b, GATE_B]]);
    // What the service's reminders need of a gate that sends them is kept with its requests.
    const [a, b] = ddb.items(TABLE);
    expect([a.topicArn, a.reminderSeconds]).toEqual([undefined, undefined]);
    expect([b.topicArn.S, b.subject.S, b.reminderSeconds.N]).toEqual(['arn:aws:sns:us-east-1:123456789012:Refunds', 'Refunds approval', '1800']);
  });

  test('each gate\'s link decides its own request, and the decision goes to its own task', async () => {
    for (const [topic, requestId, token] of [['Orders', ids.a, 'token-a'], ['Refunds', ids.b, 'token-b']] as const) {
      const page = await decide(event('POST', linkOf(topic, 'Approve'), { body: form('approve') }));
      expect(page.statusCode).toBe(200);
      expect(status(requestId)).toBe('DELIVERED');
      expect(sfnClient.commandCalls(SendTaskSuccessCommand).at(-1)!.args[0].input.taskToken).toBe(token);
    }
  });

  test('fails when a link signed for one gate names a request of another: refused on the page and on the form, the request untouched', async () => {
    // What a link of gate A for request B would be: signed with the service's (shared) key, naming gate A.
    const crossed = Object.fromEntries(new URL(linkUrl(DECISION_URL, KEY, {
      requestId: ids.b, action: 'approve', expiresAt: Math.floor(Date.now() / 1000) + 3600, recipient: 'orders@example.com', summary: 'Refund 2', gate: GATE_A,
    })).searchParams.entries());
    const shown = await decide(event('GET', crossed));
    expect([shown.statusCode, shown.body]).toEqual([403, expect.stringContaining('This link is not valid for this request.')]);
    const posted = await decide(event('POST', crossed, { body: form('approve') }));
    expect([posted.statusCode, posted.body]).toEqual([403, expect.stringContaining('This link is not valid for this request.')]);
    expect(status(ids.b)).toBe('PENDING');
    expect(sfnClient.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    // The same request, with its own gate's link, is still decided.
    expect((await decide(event('POST', linkOf('Refunds', 'Reject'), { body: form('reject') }))).statusCode).toBe(200);
    expect(status(ids.b)).toBe('DELIVERED');
  });

  test('fails when a gate\'s request step names a request id of another gate: the other\'s request is not taken over', async () => {
    await expect(request({ taskToken: 'token-x', requestId: ids.b, summary: 'x', executionArn: 'e', gate: gateConfig(GATE_A, 'Orders') }))
      .rejects.toThrow(`request ${ids.b} belongs to another gate; a new request needs a new id`);
    expect(ddb.items(TABLE).find(i => i.requestId.S === ids.b)!.taskToken.S).toBe('token-b');
  });

  test('fails when a request reaches the service\'s function without its gate', async () => {
    await expect(request({ taskToken: 't', requestId: '0000000c-5b0e-4d8e-9a57-1f3e9c0b7d21', summary: 'x', executionArn: 'e' }))
      .rejects.toThrow('gate is missing: this request function is an ApprovalService\'s, and serves only the requests of its gates');
    await expect(request({ taskToken: 't', requestId: '0000000c-5b0e-4d8e-9a57-1f3e9c0b7d21', summary: 'x', executionArn: 'e', gate: { ...gateConfig(GATE_A, 'Orders'), topicArn: '*' } }))
      .rejects.toThrow('gate.topicArn must be the ARN of an SNS topic');
    const forged = (gate: Record<string, unknown>) => request({ taskToken: 't', requestId: '0000000c-5b0e-4d8e-9a57-1f3e9c0b7d21', summary: 'x', executionArn: 'e', gate });
    await expect(forged({ ...gateConfig(GATE_A, 'Orders'), recipients: ['a@example.com', 'A@example.com'] }))
      .rejects.toThrow('gate.recipients must be a list of at most 20 different email addresses');
    await expect(forged({ ...gateConfig(GATE_A, 'Orders'), recipients: ['not an address'] })).rejects.toThrow('gate.recipients must be');
    await expect(forged({ ...gateConfig(GATE_A, 'Orders'), reminderSeconds: 60 }))
      .rejects.toThrow('gate.reminderSeconds must be a whole number of seconds: 0 (none), or from 300 to less than timeoutSeconds');
    expect(ddb.items(TABLE)).toHaveLength(2);
  });

  test('the sweep settles the decisions of both gates that were not confirmed', async () => {
    sfnClient.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }));
    for (const [topic, action] of [['Orders', 'Approve'], ['Refunds', 'Reject']] as const) {
      const page = await decide(event('POST', linkOf(topic, action), { body: form(action === 'Approve' ? 'approve' : 'reject') }));
      expect(page.statusCode).toBe(202);
    }
    expect([status(ids.a), status(ids.b)]).toEqual(['DELIVERING', 'DELIVERING']);
    sfnClient.on(SendTaskSuccessCommand).resolves({});
    const now = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => now + 120_000);
    const result = await sweep({});
    expect(result).toMatchObject({ examined: 2, delivered: 2, unsettled: 0 });
    expect([status(ids.a), status(ids.b)]).toEqual(['DELIVERED', 'DELIVERED']);
    const delivered = sfnClient.commandCalls(SendTaskSuccessCommand).slice(-2)
      .map(c => [c.args[0].input.taskToken, JSON.parse(c.args[0].input.output!).decision]);
    expect(delivered.sort()).toEqual([['token-a', 'APPROVED'], ['token-b', 'REJECTED']]);
  });
});

describe('both workflows, run locally with the toolkit', () => {
  function app() {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    return { stack, service, orders: gatedWorkflow(stack, 'Orders', service), refunds: gatedWorkflow(stack, 'Refunds', service) };
  }

  test('each workflow is approved or rejected by its own gate\'s approver, through the service\'s functions', async () => {
    const { orders, refunds } = app();
    const approved = await runWorkflow(orders.workflow, { input: { orderId: 'o-1' }, approvals: [approve(orders.gate, { comment: 'ok' })] });
    expect(approved.status).toBe('SUCCEEDED');
    expect(approved.output.approval).toMatchObject({ decision: 'APPROVED', approver: 'orders@example.com', comment: 'ok' });
    expect(approved.aws.messages.map(m => m.recipient)).toEqual(['orders@example.com']);
    const rejected = await runWorkflow(refunds.workflow, { input: { orderId: 'r-2' }, approvals: [reject(refunds.gate)] });
    expect(rejected.status).toBe('FAILED');
    expect(rejected.error).toBe('ApprovalRejected');
    expect(rejected.aws.messages.map(m => m.recipient)).toEqual(['refunds@example.com']);
  });

  test('with the service in another stack: each workflow runs, its gate decided through the service\'s functions', async () => {
    const shared = newStack('Shared');
    const service = new ApprovalService(shared, 'Approvals');
    const orders = gatedWorkflow(newStack('Orders', shared.node.root as App), 'Orders', service);
    const refunds = gatedWorkflow(newStack('Refunds', shared.node.root as App), 'Refunds', service);
    const approved = await runWorkflow(orders.workflow, { input: { orderId: 'o-1' }, approvals: [approve(orders.gate)] });
    expect([approved.status, approved.output.approval.approver]).toEqual(['SUCCEEDED', 'orders@example.com']);
    const rejected = await runWorkflow(refunds.workflow, { input: { orderId: 'r-1' }, approvals: [reject(refunds.gate)] });
    expect([rejected.status, rejected.error]).toEqual(['FAILED', 'ApprovalRejected']);
  });

  test('with the service in a nested stack: the gate is decided through the service\'s functions', async () => {
    const parent = newStack('Parent');
    const service = new ApprovalService(new NestedStack(parent, 'Nested'), 'Approvals');
    const orders = gatedWorkflow(parent, 'Orders', service);
    const run = await runWorkflow(orders.workflow, { input: { orderId: 'o-1' }, approvals: [approve(orders.gate)] });
    expect([run.status, run.output.approval.approver]).toEqual(['SUCCEEDED', 'orders@example.com']);
  });

  test('fails when the decision names the other workflow\'s gate, whose state has the same name', async () => {
    const stack = newStack();
    const service = new ApprovalService(stack, 'Approvals');
    const [orders, refunds] = ['Orders', 'Refunds'].map(id => {
      const scope = new Construct(stack, id);
      const gate = new ApprovalGate(scope, 'Approve', { service, timeout: Duration.hours(1), summary: 's', approverEmails: ['a@example.com'] });
      return { gate, workflow: new Workflow(scope, 'Flow', { definition: gate.next(new sfn.Pass(scope, 'Done')) }) };
    });
    await expect(runWorkflow(orders.workflow, { approvals: [approve(refunds.gate)] }))
      .rejects.toThrow("approvals: approve(Approvals/Refunds/Approve) is not the gate of this state machine's state 'Approve' "
        + "(both use one ApprovalService, and that state's task names another of its gates); give the gate of the workflow you run");
    expect((await runWorkflow(orders.workflow, { approvals: [approve(orders.gate)] })).status).toBe('SUCCEEDED');
  });
});
