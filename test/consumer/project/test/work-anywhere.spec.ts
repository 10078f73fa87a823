/**
 * Work hosted anywhere, as a user writes and tests it: an HTTP API (HttpTask) against a stand-in the
 * test starts, an activity (ActivityTask) through the worker's own handler and through the worker
 * runtime (`cdk-workflow-patterns/worker`), and a container (ContainerTask) through a function.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { App, SecretValue, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ActivityTask, ContainerTask, HttpAuthorization, HttpErrors, HttpMethod, HttpTask, Workflow } from 'cdk-workflow-patterns';
import { runWorkflow } from 'cdk-workflow-patterns/testing';
import { ActivityApi, ActivityWorker } from 'cdk-workflow-patterns/worker';

function fulfilment() {
  const stack = new Stack(new App(), 'Fulfilment', { env: { account: '123456789012', region: 'eu-west-1' } });
  const charge = new HttpTask(stack, 'Charge', {
    apiRoot: 'https://api.payments.example.com',
    path: 'v1/charges',
    method: HttpMethod.POST,
    authorization: HttpAuthorization.apiKey('x-api-key', SecretValue.secretsManager('payments')),
    body: sfn.TaskInput.fromJsonPathAt('$.charge'),
    resultPath: sfn.JsonPath.DISCARD,
  });
  charge.addCatch(new sfn.Fail(stack, 'Declined', { error: 'Declined' }), { errors: [HttpErrors.statusCode(402)] });
  const label = new ActivityTask(stack, 'Print label', { resultPath: '$.label' });
  const definition = new ecs.FargateTaskDefinition(stack, 'Invoice');
  definition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine') });
  const invoice = new ContainerTask(stack, 'Render invoice', {
    taskDefinition: definition,
    vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }),
    environment: { ORDER: sfn.JsonPath.stringAt('$.orderId') },
    resultPath: sfn.JsonPath.DISCARD,
  });
  return { workflow: new Workflow(stack, 'Fulfil', { definition: charge.next(label).next(invoice) }), label };
}

test('the payment, the label and the invoice, each run locally', async () => {
  const api = http.createServer((req, res) => {
    res.writeHead(req.headers['x-api-key'] === 'test-credential' ? 201 : 401, { 'content-type': 'application/json' });
    res.end('{"id":"ch_1"}');
  });
  await new Promise<void>(resolve => api.listen(0, '127.0.0.1', () => resolve()));
  try {
    const rendered: string[] = [];
    const run = await runWorkflow(fulfilment().workflow, {
      input: { orderId: 'o-1', charge: { amount: 10 } },
      httpEndpoints: { 'https://api.payments.example.com': `http://127.0.0.1:${(api.address() as AddressInfo).port}` },
      activities: { 'Print label': async input => ({ labelId: `L-${input.orderId}` }) },
      containers: { 'Render invoice': container => { rendered.push(container.environment.ORDER); } },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ orderId: 'o-1', charge: { amount: 10 }, label: { labelId: 'L-o-1' } });
    expect(rendered).toEqual(['o-1']);
  } finally {
    api.close();
  }
});

test('a declined card (402) is caught; the label is never printed', async () => {
  const api = http.createServer((_req, res) => { res.writeHead(402, { 'content-type': 'application/json' }); res.end('{}'); });
  await new Promise<void>(resolve => api.listen(0, '127.0.0.1', () => resolve()));
  try {
    const run = await runWorkflow(fulfilment().workflow, {
      input: { orderId: 'o-2', charge: { amount: 10 } },
      httpEndpoints: { 'https://api.payments.example.com': `http://127.0.0.1:${(api.address() as AddressInfo).port}` },
    });
    expect(run.status).toBe('FAILED');
    expect(run.path).toEqual(['Charge', 'Declined']);
  } finally {
    api.close();
  }
});

test('the worker runtime answers a task with its handler\'s output', async () => {
  const sent: unknown[] = [];
  let handed = false;
  const api: ActivityApi = {
    getActivityTask: (_params, signal) => {
      if (!handed) {
        handed = true;
        return Promise.resolve({ taskToken: 't1', input: '{"orderId":"o-3"}' });
      }
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    },
    sendTaskSuccess: async params => { sent.push(params); },
    sendTaskFailure: async params => { sent.push(params); },
    sendTaskHeartbeat: async () => undefined,
  };
  const worker = new ActivityWorker({
    activityArn: 'arn:aws:states:eu-west-1:123456789012:activity:labels',
    handler: async (input: { orderId: string }) => ({ labelId: `L-${input.orderId}` }),
    api,
    handleSignals: false,
    shutdownGraceSeconds: 0.1,
    log: () => undefined,
  });
  const done = worker.start();
  while (sent.length === 0) await new Promise(resolve => setTimeout(resolve, 5));
  await worker.stop();
  await done;
  expect(sent).toEqual([{ taskToken: 't1', output: '{"labelId":"L-o-3"}' }]);
});
