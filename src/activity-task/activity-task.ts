import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { checkProps, checkValue } from '../private/prop-types';
import { declareQueryLanguage } from '../private/query-language';
import { required } from '../private/required';
import { retryProps } from '../private/retry';
import { checkRetryAttempts, checkTaskStateProps } from '../private/task-props';

/**
 * Properties for an `ActivityTask`.
 */
export interface ActivityTaskProps extends sfn.TaskStateBaseProps {
  /**
   * The activity the workers poll.
   * @default - a new activity, named after the stack and the task
   */
  readonly activity?: sfn.IActivity;

  /**
   * The input the worker receives (JSONPath).
   * @default - the state's input
   */
  readonly parameters?: { [key: string]: any };

  /**
   * The input the worker receives (JSONata).
   * @default - the state's input
   */
  readonly arguments?: { [key: string]: any };

  /**
   * Retries of a task whose worker stopped answering (`States.HeartbeatTimeout`) or shut down before
   * it ended (`ActivityWorker.ShuttingDown`): another worker takes it up.
   * @default 2 retries, 5 seconds then doubling, full jitter
   */
  readonly retryAttempts?: number;
}

/**
 * A Task state whose work is done by a worker you run anywhere with an HTTPS connection (EC2, ECS,
 * on premises), polling a Step Functions activity: `cdk-workflow-patterns/worker` is that worker.
 *
 * Its defaults: a heartbeat of 5 minutes (a worker that stops answering frees the task for another),
 * a timeout of 1 hour from the moment a worker takes the task, and retries of a task whose worker
 * stopped answering or shut down. Express workflows refuse it, as Step Functions does.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
 */
export class ActivityTask extends tasks.StepFunctionsInvokeActivity {
  /** The error a worker fails its tasks with when it stops before they end (`cdk-workflow-patterns/worker`): retried by default. */
  public static readonly WORKER_SHUTTING_DOWN = 'ActivityWorker.ShuttingDown';

  /** The activity the workers poll. */
  public readonly activity: sfn.IActivity;

  constructor(scope: Construct, id: string, props: ActivityTaskProps = {}) {
    const where = `ActivityTask '${id}'`;
    checkTaskStateProps(where, props);
    checkProps(where, 'ActivityTaskProps', props);
    const retries = checkRetryAttempts(where, props.retryAttempts);
    if (props.activity !== undefined) checkValue(where, 'activity', 'aws-cdk-lib.aws_stepfunctions.IActivity', props.activity);
    if (props.integrationPattern !== undefined && props.integrationPattern !== sfn.IntegrationPattern.REQUEST_RESPONSE) {
      throw new Error(`${where}: integrationPattern must be left out (got ${props.integrationPattern}); an activity task waits for its worker already`);
    }
    const heartbeat = props.heartbeatTimeout ?? sfn.Timeout.duration(props.heartbeat ?? Duration.minutes(5));
    const timeout = props.taskTimeout ?? sfn.Timeout.duration(props.timeout ?? Duration.hours(1));
    if (heartbeat.seconds !== undefined && timeout.seconds !== undefined && heartbeat.seconds >= timeout.seconds) {
      throw new Error(`${where}: the heartbeat (${heartbeat.seconds} seconds) must be shorter than the timeout (${timeout.seconds} seconds); `
        + 'a worker heartbeats while it works, and the timeout bounds the whole task');
    }
    const activity = props.activity ?? new sfn.Activity(scope, `${id} Activity`);
    const { heartbeat: _h, timeout: _t, retryAttempts: _r, ...rest } = props;
    super(scope, id, { ...rest, activity, heartbeatTimeout: heartbeat, taskTimeout: timeout } as tasks.StepFunctionsInvokeActivityProps);
    this.activity = activity;
    const attempts = retries ?? 2;
    if (attempts > 0) {
      this.addRetry(retryProps(`${where}: retryAttempts`, { maxAttempts: attempts }, {
        errors: [sfn.Errors.HEARTBEAT_TIMEOUT, ActivityTask.WORKER_SHUTTING_DOWN],
        interval: Duration.seconds(5),
        maxAttempts: 2,
        backoffRate: 2,
        maxDelay: Duration.minutes(1),
      }));
    }
    if (props.queryLanguage !== undefined) {
      declareQueryLanguage(this, props.queryLanguage, () => `${where} is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; give it queryLanguage: sfn.QueryLanguage.JSONATA`);
    }
  }

  /**
   * Lets a worker take this activity's tasks and answer them: `states:GetActivityTask`,
   * `states:SendTaskSuccess`, `states:SendTaskFailure` and `states:SendTaskHeartbeat`, on this
   * activity only.
   */
  public grantWorker(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `ActivityTask '${this.node.id}'.grantWorker`, 'grantee', 'give the role (or other principal) the worker runs as');
    checkValue(`ActivityTask '${this.node.id}'.grantWorker`, 'grantee', 'aws-cdk-lib.aws_iam.IGrantable', grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:GetActivityTask', 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resourceArns: [this.activity.activityArn],
    });
  }
}
