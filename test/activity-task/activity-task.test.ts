/**
 * ActivityTask: the activity, the task's heartbeat, timeout and retries, the worker's grant, what it
 * refuses, and its runs on the local engine with the worker's own handler.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ActivityTask, ActivityTaskProps, Workflow, WorkflowType } from '../../src';
import { HarnessError, mockState, runWorkflow, TaskOutcome } from '../../src/testing';
import { snapshotOf } from '../support/snapshot';

function labels(props: ActivityTaskProps = {}, type?: WorkflowType) {
  const stack = new Stack(new App(), 'Labels');
  const task = new ActivityTask(stack, 'Print label', props);
  const failed = new sfn.Fail(stack, 'Printer failed', { error: 'PrinterFailed' });
  task.addCatch(failed, { errors: ['Printer.OutOfPaper'] });
  const workflow = new Workflow(stack, 'Shipping', { definition: task.next(new sfn.Succeed(stack, 'Printed')), ...(type ? { type } : {}) });
  return { stack, task, workflow };
}

function stateOf(stack: Stack, name: string): any {
  const machine = Object.values<any>(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0];
  const parts = machine.Properties.DefinitionString['Fn::Join'][1];
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : '"X"')).join('').replace(/""X""/g, '"X"')).States[name];
}

describe('ActivityTask: what it creates', () => {
  test('an activity, a 5-minute heartbeat, a 1-hour timeout, and retries of a worker that stopped answering or shut down', () => {
    const { stack } = labels();
    Template.fromStack(stack).resourceCountIs('AWS::StepFunctions::Activity', 1);
    const state = stateOf(stack, 'Print label');
    expect(state).toMatchObject({ Type: 'Task', HeartbeatSeconds: 300, TimeoutSeconds: 3600 });
    expect(state.Retry).toEqual([{
      ErrorEquals: ['States.HeartbeatTimeout', 'ActivityWorker.ShuttingDown'], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL',
    }]);
  });

  test('grantWorker: the four calls a worker makes, on this activity only; the state machine\'s role gets nothing for it', () => {
    const { stack, task } = labels();
    const role = new iam.Role(stack, 'WorkerRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    task.grantWorker(role);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const worker = Object.values<any>(policies).find(p => p.Properties.Roles.some((r: any) => r.Ref?.startsWith('WorkerRole')));
    expect(worker.Properties.PolicyDocument.Statement).toEqual([{
      Action: ['states:GetActivityTask', 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Effect: 'Allow',
      Resource: { Ref: expect.stringMatching(/^PrintlabelActivity/) },
    }]);
    const machineRole = Object.values<any>(policies).filter(p => p !== worker).flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(machineRole.filter((s: any) => JSON.stringify(s.Action).includes('GetActivityTask'))).toEqual([]);
  });

  test('snapshot', () => {
    expect(snapshotOf(labels().stack)).toMatchSnapshot();
  });
});

describe('ActivityTask: bad input', () => {
  test('fails when in an Express workflow: Step Functions runs activities in Standard workflows only', () => {
    expect(() => Template.fromStack(labels({}, WorkflowType.expressSync()).stack)).toThrow(/state 'Print label' .*is an Activity task, which an EXPRESS \(SYNC\) workflow cannot run; use WorkflowType.standard\(\)/);
  });

  test('fails when the heartbeat is not shorter than the timeout', () => {
    expect(() => labels({ heartbeatTimeout: sfn.Timeout.duration(Duration.hours(2)) })).toThrow(
      "ActivityTask 'Print label': the heartbeat (7200 seconds) must be shorter than the timeout (3600 seconds); a worker heartbeats while it works, and the timeout bounds the whole task");
  });

  test('fails when asked for another integration pattern', () => {
    expect(() => labels({ integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN })).toThrow(/integrationPattern must be left out .*an activity task waits for its worker already/);
  });

  test('fails when a timeout or a retry count is of the wrong kind, instead of dropping it from the ASL', () => {
    expect(() => labels({ heartbeatTimeout: 120 as any })).toThrow("ActivityTask 'Print label': heartbeatTimeout must be an sfn.Timeout (got number); write heartbeatTimeout: sfn.Timeout.duration(Duration.minutes(5))");
    expect(() => labels({ taskTimeout: Duration.minutes(2) as any })).toThrow(/taskTimeout must be an sfn.Timeout \(got a Duration\)/);
    expect(() => labels({ retryAttempts: -1 })).toThrow("ActivityTask 'Print label': retryAttempts must be a whole number from 0 (no retry) to 99999999 (got -1)");
    expect(() => new ActivityTask(new Stack(new App(), 'S'), 'A', null as any)).toThrow("ActivityTask 'A': props must be an object of its fields, such as { ... } (got null)");
  });

  test('fails when grantWorker is given no principal', () => {
    expect(() => (labels().task as any).grantWorker(undefined)).toThrow(/ActivityTask 'Print label'.grantWorker: grantee is required \(got undefined\); give the role/);
  });
});

describe('ActivityTask on the local engine, with the worker\'s own handler', () => {
  test('success: the handler gets the state\'s input and the worker\'s context; its output is the task\'s', async () => {
    const { workflow } = labels();
    const seen: unknown[] = [];
    const run = await runWorkflow(workflow, {
      input: { orderId: 'o-1', address: '1 Main St' },
      activities: { 'Print label': async (input, context) => { seen.push(input, context.workerName, typeof context.heartbeat); return { labelId: `L-${input.orderId}` }; } },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ labelId: 'L-o-1' });
    expect(seen).toEqual([{ orderId: 'o-1', address: '1 Main St' }, 'local-worker', 'function']);
    expect(run.path).toEqual(['Print label', 'Printed']);
  });

  test('failure: a thrown error is SendTaskFailure with its name and message, and its Catch takes it', async () => {
    const { workflow } = labels();
    const run = await runWorkflow(workflow, {
      activities: { 'Print label': () => { throw Object.assign(new Error('tray 2 is empty'), { name: 'Printer.OutOfPaper' }); } },
    });
    expect(run.status).toBe('FAILED');
    expect(run.path).toEqual(['Print label', 'Printer failed']);
    expect(run.catches).toEqual([{ state: 'Print label', error: 'Printer.OutOfPaper', next: 'Printer failed' }]);
    const failed = run.events.find(e => e.type === 'ActivityFailed');
    expect(failed?.activityFailedEventDetails).toEqual({ error: 'Printer.OutOfPaper', cause: 'tray 2 is empty' });
  });

  test('a handler that never ends: the worker keeps heartbeating, so the task times out after its hour (States.Timeout), not retried', async () => {
    const { workflow } = labels();
    const started = Date.now();
    const run = await runWorkflow(workflow, { activities: { 'Print label': () => new Promise(() => undefined) } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Timeout');
    // A timeout is not a missed heartbeat: the States.HeartbeatTimeout retrier does not take it, as in AWS.
    expect(run.retries).toEqual([]);
    expect(run.durationMs).toBe(3600 * 1000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a handler that takes long but heartbeats is waited for, and its answer taken', async () => {
    const { workflow } = labels();
    const run = await runWorkflow(workflow, {
      activities: {
        'Print label': async (_input, context) => {
          for (let i = 0; i < 3; i++) {
            await new Promise(resolve => setTimeout(resolve, 1000));
            await context.heartbeat();
          }
          return { labelId: 'slow' };
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ labelId: 'slow' });
  });

  test('a worker that dies (no heartbeat, mocked) frees the task at its heartbeat, and it is retried twice', async () => {
    const { workflow } = labels();
    const run = await runWorkflow(workflow, { mocks: [mockState('Print label', () => TaskOutcome.never())] });
    expect(run.error).toBe('States.Timeout');
    expect(run.retries.map(r => r.error)).toEqual(['States.Timeout', 'States.Timeout']);
  });

  test('fails when no worker handler is given, naming the activities option', async () => {
    const { workflow } = labels();
    await expect(runWorkflow(workflow)).rejects.toThrow("give activities['Print label'] (the worker's handler), or mock it with mockState('Print label', ...)");
  });

  test('fails when activities names a state that is not an activity task', async () => {
    const { workflow } = labels();
    await expect(runWorkflow(workflow, { activities: { Printed: () => ({}) } })).rejects.toThrow(HarnessError);
    await expect(runWorkflow(workflow, { activities: { Printed: () => ({}) } })).rejects.toThrow("activities['Printed'] names no activity task (activity tasks: Print label)");
  });
});

describe('ActivityTask in JSONata', () => {
  test('its arguments reach the worker, and its outputs shape the result', async () => {
    const stack = new Stack(new App(), 'LabelsJsonata');
    const task = new ActivityTask(stack, 'Print label', {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      arguments: { order: '{% $states.input.orderId %}' },
      outputs: { labelId: '{% $states.result.labelId %}' },
    });
    const workflow = new Workflow(stack, 'Shipping', { definition: task, queryLanguage: sfn.QueryLanguage.JSONATA });
    const run = await runWorkflow(workflow, {
      input: { orderId: 'o-9' },
      activities: { 'Print label': async input => ({ labelId: `L-${input.order}` }) },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ labelId: 'L-o-9' });
  });
});
