/**
 * ContainerTask: the RunTask .sync state on Fargate, its role, its retries, what it refuses, and its
 * runs on the local engine with a function standing for the container.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ContainerTask, ContainerTaskProps, Workflow, WorkflowType } from '../../src';
import { HarnessError, mockState, returns, runWorkflow } from '../../src/testing';
import { nagFindings } from '../support/nag';
import { snapshotOf } from '../support/snapshot';

function nightly(props: Partial<ContainerTaskProps> = {}, type?: WorkflowType) {
  const stack = new Stack(new App(), 'Reports', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Report', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'report' }),
  });
  const task = new ContainerTask(stack, 'Build report', {
    taskDefinition,
    vpc,
    environment: { REPORT_DAY: sfn.JsonPath.stringAt('$.day') },
    command: ['node', 'report.js'],
    resultSelector: { 'exitCode.$': '$.Containers[0].ExitCode' },
    ...props,
  });
  task.addCatch(new sfn.Fail(stack, 'Report failed', { error: 'ReportFailed' }), { errors: ['States.TaskFailed'] });
  const workflow = new Workflow(stack, 'Nightly', { definition: task.next(new sfn.Succeed(stack, 'Report built')), ...(type ? { type } : {}) });
  return { stack, task, workflow, taskDefinition, vpc };
}

function stateOf(stack: Stack, name: string): any {
  const machine = Object.values<any>(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0];
  const parts = machine.Properties.DefinitionString['Fn::Join'][1];
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : 'X')).join('')).States[name];
}

describe('ContainerTask: what it creates', () => {
  test('RunTask .sync on Fargate, the input as the container\'s environment and command, a 1-hour timeout, retries of a task that could not start', () => {
    const { stack } = nightly();
    const state = stateOf(stack, 'Build report');
    expect(state.Resource).toBe('arn:X:states:::ecs:runTask.sync');
    expect(state.TimeoutSeconds).toBe(3600);
    expect(state.Parameters).toMatchObject({
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      Overrides: { ContainerOverrides: [{ Name: 'app', Command: ['node', 'report.js'], Environment: [{ 'Name': 'REPORT_DAY', 'Value.$': '$.day' }] }] },
    });
    expect(state.Parameters.NetworkConfiguration.AwsvpcConfiguration.Subnets).toHaveLength(2);
    expect(state.Retry).toEqual([{
      ErrorEquals: ['ECS.AmazonECSException', 'ECS.ServerException', 'ECS.ThrottlingException', 'AmazonECS.Unknown'],
      IntervalSeconds: 10,
      MaxAttempts: 3,
      BackoffRate: 2,
      MaxDelaySeconds: 120,
      JitterStrategy: 'FULL',
    }]);
  });

  test('a cluster with Container Insights in the VPC given; the role runs this task definition and passes its two roles only', () => {
    const { stack } = nightly();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement).filter((s: any) => JSON.stringify(s.Action).match(/ecs:|iam:PassRole|events:/));
    const passRole = statements.find((s: any) => s.Action === 'iam:PassRole');
    expect(passRole.Resource).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ReportTaskRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^ReportExecutionRole/), 'Arn'] }]);
    const runTask = statements.find((s: any) => s.Action === 'ecs:RunTask');
    expect(JSON.stringify(runTask.Resource)).toMatch(/Report/);
    // The managed rule Step Functions follows the task with, and no other.
    expect(JSON.stringify(statements.find((s: any) => JSON.stringify(s.Action).includes('events:PutRule')).Resource))
      .toContain(':events:us-east-1:123456789012:rule/StepFunctionsGetEventsForECSTaskRule');
  });

  test('snapshot', () => {
    expect(snapshotOf(nightly().stack)).toMatchSnapshot();
  });

  test('cdk-nag: the workflow\'s role has no unexplained wildcard (RunTask on the family, Stop/DescribeTasks on *)', () => {
    const { stack } = nightly();
    expect(nagFindings(stack).filter(f => f.includes('Nightly/Resource/Role'))).toEqual([]);
  });
});

describe('ContainerTask: bad input', () => {
  test('fails when the task has no network: neither a cluster nor a VPC', () => {
    expect(() => nightly({ vpc: undefined })).toThrow("ContainerTask 'Build report': the task has no network: give cluster (an ecs.Cluster) or vpc (the task creates a cluster in it)");
  });

  test('fails when the task definition is not Fargate-compatible', () => {
    const stack = new Stack(new App(), 'S');
    const ec2Only = new ecs.Ec2TaskDefinition(stack, 'Ec2');
    ec2Only.addContainer('app', { image: ecs.ContainerImage.fromRegistry('x'), memoryLimitMiB: 128 });
    expect(() => new ContainerTask(stack, 'Run', { taskDefinition: ec2Only, vpc: new ec2.Vpc(stack, 'Vpc') })).toThrow(/the task definition 'S\/Ec2' is not Fargate-compatible; give an ecs.FargateTaskDefinition/);
  });

  test('fails when the VPC has no subnet the task can reach the internet from', () => {
    const stack = new Stack(new App(), 'S');
    const isolated = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Td');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('x') });
    expect(() => new ContainerTask(stack, 'Run', { taskDefinition, vpc: isolated })).toThrow(
      /ContainerTask 'Run': the VPC has no subnets for the task \(.*\); the task needs a route out to pull its image: give subnets .*, or assignPublicIp: true/);
  });

  test('fails when the container named is not in the task definition', () => {
    expect(() => nightly({ containerName: 'web' })).toThrow("ContainerTask 'Build report': the task definition has no container 'web' (its containers: app)");
  });

  test('fails when in an Express workflow: no .sync there', () => {
    expect(() => Template.fromStack(nightly({}, WorkflowType.expressSync()).stack)).toThrow(
      /state 'Build report' .*runs a container to its end \(.sync\), which an EXPRESS \(SYNC\) workflow cannot do; use WorkflowType.standard\(\), or start the task without waiting for it \(tasks.EcsRunTask with REQUEST_RESPONSE\)/);
  });
});

describe('ContainerTask on the local engine, a function standing for the container', () => {
  test('success: it receives the environment from the input and the command; the result is the stopped task', async () => {
    const { workflow } = nightly();
    const seen: unknown[] = [];
    const run = await runWorkflow(workflow, {
      input: { day: '2026-12-07' },
      containers: { 'Build report': container => { seen.push(container); return 0; } },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ exitCode: 0 });
    expect(seen).toEqual([{ name: 'app', environment: { REPORT_DAY: '2026-12-07' }, command: ['node', 'report.js'] }]);
  });

  test('an exit code other than 0 fails the task with States.TaskFailed, the stopped task in the cause', async () => {
    const { workflow } = nightly();
    const run = await runWorkflow(workflow, { input: { day: 'x' }, containers: { 'Build report': () => 2 } });
    expect(run.status).toBe('FAILED');
    expect(run.path).toEqual(['Build report', 'Report failed']);
    const failed = run.events.find(e => e.type === 'TaskFailed') as any;
    const cause = JSON.parse(failed.taskFailedEventDetails.cause);
    expect(cause).toMatchObject({ LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited', Containers: [{ ExitCode: 2, Name: 'app' }] });
    // Timestamps as Step Functions gives them: milliseconds, at the task's virtual time.
    expect(cause.StoppedAt).toBe(new Date(failed.timestamp).getTime());
  });

  test('a container that does not stop: the task times out at its timeout in virtual time, the test does not wait for it', async () => {
    const { workflow } = nightly();
    const run = await runWorkflow(workflow, { input: { day: 'x' }, containers: { 'Build report': () => new Promise<void>(() => undefined) } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Timeout');
    expect(run.durationMs).toBe(3600 * 1000);
  });

  test('fails when the function returns something that is not an exit code, instead of succeeding', async () => {
    const { workflow } = nightly();
    for (const wrong of ['1', { exitCode: 1 }, true, null, 1.5, 300]) {
      await expect(runWorkflow(workflow, { input: { day: 'x' }, containers: { 'Build report': () => wrong as any } }))
        .rejects.toThrow(/containers\['Build report'\] returned .*; return the container's exit code, a whole number from 0 to 255/);
    }
  });

  test('fails when a JSONPath reference is given to a JSONata task, where it would be sent as text; and on wrong-typed timeouts and retries', () => {
    expect(() => nightly({ queryLanguage: sfn.QueryLanguage.JSONATA })).toThrow(
      /ContainerTask 'Build report': environment.REPORT_DAY is a JSONPath reference \(sfn.JsonPath...\), and the task is JSONata/);
    expect(() => nightly({ taskTimeout: 600 as any })).toThrow(/taskTimeout must be an sfn.Timeout \(got number\)/);
    expect(() => nightly({ retryAttempts: -3 })).toThrow(/retryAttempts must be a whole number from 0/);
  });

  test('mockState works for a container task too; containers naming another state is refused', async () => {
    const { workflow } = nightly();
    const run = await runWorkflow(workflow, { input: { day: 'x' }, mocks: [mockState('Build report', returns({ Containers: [{ ExitCode: 0 }] }))] });
    expect(run.status).toBe('SUCCEEDED');
    await expect(runWorkflow(workflow, { containers: { 'Report built': () => 0 } })).rejects.toThrow(HarnessError);
  });
});

describe('ContainerTask in JSONata', () => {
  test('the environment from a JSONata expression reaches the container', async () => {
    const stack = new Stack(new App(), 'ReportsJsonata', { env: { account: '123456789012', region: 'us-east-1' } });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Report');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('node') });
    const task = new ContainerTask(stack, 'Build report', {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      taskDefinition,
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }),
      environment: { REPORT_DAY: '{% $states.input.day %}' },
      outputs: { exitCode: '{% $states.result.Containers[0].ExitCode %}' },
    });
    const workflow = new Workflow(stack, 'Nightly', { definition: task, queryLanguage: sfn.QueryLanguage.JSONATA });
    const days: string[] = [];
    const run = await runWorkflow(workflow, { input: { day: '2026-12-07' }, containers: { 'Build report': c => { days.push(c.environment.REPORT_DAY); } } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ exitCode: 0 });
    expect(days).toEqual(['2026-12-07']);
  });
});
