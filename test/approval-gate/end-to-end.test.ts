/**
 * The gate end to end on this machine: the synthesized workflow, the real request and decision
 * handlers, in-memory AWS services, and a scripted approver who opens the link and confirms.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ApprovalGate, Workflow } from '../../src';
import * as decision from '../../src/approval-gate/decision.lambda';
import * as request from '../../src/approval-gate/request.lambda';
import { ApprovalSimulator, gateFunctionsIn } from '../support/approval-simulator';
import { aslFromTemplate, arnOf, logicalIdOf } from '../support/asl';
import { runLocally } from '../support/local-execution';

function setup() {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const gate = new ApprovalGate(stack, 'Approve purchase', {
    timeout: Duration.hours(8),
    summary: sfn.JsonPath.format('Buy {} for {} EUR', sfn.JsonPath.stringAt('$.item'), sfn.JsonPath.stringAt('$.amount')),
    approverEmails: ['desk@example.com', 'risk@example.com'],
  });
  const workflow = new Workflow(stack, 'Purchases', { definition: gate.next(new sfn.Succeed(stack, 'Ordered')) });
  const template = Template.fromStack(stack).toJSON();
  const asl = aslFromTemplate(template, logicalIdOf(workflow.stateMachine));
  const handlers = {
    [arnOf(gate.requestFunction)]: (e: any) => request.handler(e),
    [arnOf(gate.decisionFunction)]: (e: any) => decision.handler(e),
  };
  return { asl, functions: gateFunctionsIn(template, asl, 'Approve purchase', handlers) };
}

let simulator: ApprovalSimulator;
let logs: string[];
beforeEach(() => {
  simulator = new ApprovalSimulator();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(' ')); });
});
afterEach(() => {
  simulator.restore();
  jest.restoreAllMocks();
});

const input = { item: 'a lamp', amount: 120 };

test('approved through the link: one message per approver, a confirmation page, one decision, the workflow succeeds', async () => {
  const { asl, functions } = setup();
  const result = await runLocally(asl, {
    input,
    ...simulator.gate('Approve purchase', functions, { by: 'risk@example.com', action: 'approve', comment: 'within budget' }),
  });
  expect(result.status).toBe('SUCCEEDED');
  expect(result.path).toEqual(['Approve purchase: open request', 'Approve purchase', 'Approve purchase: approved?', 'Ordered']);
  expect(result.output.approval).toMatchObject({ decision: 'APPROVED', approver: 'risk@example.com', comment: 'within budget' });
  expect(simulator.messages.map(m => m.MessageAttributes?.recipient?.StringValue)).toEqual(['desk@example.com', 'risk@example.com']);
  expect(simulator.messages[0].Message).toContain('Buy a lamp for 120 EUR');
  expect(simulator.pages).toEqual([
    { method: 'GET', statusCode: 200, title: 'Approve this request?' },
    { method: 'POST', statusCode: 200, title: 'Request approved' },
  ]);
  expect(logs).toEqual([
    expect.stringContaining('"event":"approval.requested"'),
    expect.stringMatching(/"event":"approval.decision".*"outcome":"delivered".*"decision":"APPROVED"/),
  ]);
  expect(logs.join('\n')).not.toContain('local-task-token');
  const [record] = simulator.records(functions);
  expect(record).toMatchObject({ status: { S: 'DELIVERED' }, decision: { S: 'APPROVED' }, approver: { S: 'risk@example.com' }, comment: { S: 'within budget' } });
  expect(record.deliveryQueue).toBeUndefined();
  expect(record.requestId.S).toBe(result.output.approval.requestId);
});

test('rejected, then submitted again: the second submission gets 409 and the workflow fails with the decision as cause', async () => {
  const { asl, functions } = setup();
  const result = await runLocally(asl, {
    input,
    ...simulator.gate('Approve purchase', functions, { by: 'desk@example.com', action: 'reject', comment: 'too expensive', submitTwice: true }),
  });
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('ApprovalRejected');
  expect(result.cause).toMatch(/^REJECTED \(request [0-9a-f-]{36}\)$/);
  const [record] = simulator.records(functions);
  expect(record).toMatchObject({ approver: { S: 'desk@example.com' }, comment: { S: 'too expensive' } });
  expect(simulator.pages.map(p => p.statusCode)).toEqual([200, 200, 409]);
});

test('the answer of SendTaskSuccess lost: the approver is told delivery is not confirmed, submits again and is told it was delivered; one decision, the record DELIVERED', async () => {
  const { asl, functions } = setup();
  const result = await runLocally(asl, {
    input,
    ...simulator.gate('Approve purchase', functions, { by: 'desk@example.com', action: 'approve', comment: 'fine', submitTwice: true, deliveryFault: 'answerLost' }),
  });
  expect(result.status).toBe('SUCCEEDED');
  expect(result.output.approval).toMatchObject({ decision: 'APPROVED', approver: 'desk@example.com', comment: 'fine' });
  expect(simulator.pages).toEqual([
    { method: 'GET', statusCode: 200, title: 'Approve this request?' },
    { method: 'POST', statusCode: 202, title: 'Decision recorded, delivery not confirmed' },
    { method: 'POST', statusCode: 200, title: 'Request approved' },
  ]);
  const [record] = simulator.records(functions);
  expect(record).toMatchObject({ status: { S: 'DELIVERED' }, decision: { S: 'APPROVED' }, comment: { S: 'fine' } });
  expect(logs.join('\n')).not.toContain('local-task-token');
});
