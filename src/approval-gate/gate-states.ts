/**
 * The states of an ApprovalGate: open the request, wait for the decision, and route it (approved,
 * rejected, expired). Created in the gate's own scope, so that their construct ids stay those of
 * the gate.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LambdaRetry } from '../workflow/lambda-retry';

/** Error names of the default Fail states. */
export const REJECTED_ERROR = 'ApprovalRejected';
export const EXPIRED_ERROR = 'ApprovalExpired';
/** What the request function throws when a service it calls is throttled or failing (see request.lambda.ts). */
export const TRANSIENT_ERROR = 'ApprovalGate.TransientError';
const JSON_NULL = sfn.JsonPath.stringAt("States.StringToJson('null')");

export interface GateStatesProps {
  readonly id: string;
  readonly timeout: Duration;
  readonly summary: string;
  readonly resultPath: string;
  readonly requestFunction: lambda.IFunction;
  readonly onRejected?: sfn.IChainable;
  readonly onExpired?: sfn.IChainable;
  /** The default rejected route's cause: the whole decision (approver and comment included), or only the decision and the request id. */
  readonly causeIncludesApprover: boolean;
}

export class GateStates {
  /** Gives the request its id; the gate's start state. */
  public readonly open: sfn.Pass;
  /** Stores the task token, sends the message and waits. */
  public readonly requestTask: tasks.LambdaInvoke;
  private readonly decision: sfn.Choice;
  private approvedRouted = false;

  constructor(gate: Construct, private readonly props: GateStatesProps) {
    const { id, resultPath } = props;
    this.open = new sfn.Pass(gate, 'Open', {
      stateName: `${id}: open request`,
      comment: 'A random request id: the only handle on the request outside the workflow.',
      parameters: { requestId: sfn.JsonPath.uuid(), requestedAt: sfn.JsonPath.stateEnteredTime },
      resultPath,
    });
    this.requestTask = new tasks.LambdaInvoke(gate, 'Request', {
      stateName: id,
      comment: 'Stores the task token, sends the approval request and waits for the decision.',
      lambdaFunction: props.requestFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        requestId: sfn.JsonPath.stringAt(`${resultPath}.requestId`),
        summary: props.summary,
        executionArn: sfn.JsonPath.executionId,
      }),
      resultPath,
      taskTimeout: sfn.Timeout.duration(props.timeout),
      retryOnServiceExceptions: false,
    });
    LambdaRetry.addTo(this.requestTask);
    // The request function's own dependencies (DynamoDB, SNS, Secrets Manager) throttled or failing.
    this.requestTask.addRetry({
      errors: [TRANSIENT_ERROR],
      interval: Duration.seconds(2),
      maxAttempts: 4,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const expired = new sfn.Pass(gate, 'Expired', {
      stateName: `${id}: expired`,
      parameters: {
        decision: 'EXPIRED',
        // CDK drops null parameters: an intrinsic gives the decision the same shape on every route.
        approver: JSON_NULL,
        comment: JSON_NULL,
        decidedAt: sfn.JsonPath.stateEnteredTime,
        requestId: sfn.JsonPath.stringAt(`${resultPath}.requestId`),
      },
      resultPath,
    });
    this.requestTask.addCatch(expired, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    expired.next(props.onExpired ?? new sfn.Fail(gate, 'ExpiredFail', {
      stateName: `${id}: no decision`,
      error: EXPIRED_ERROR,
      cause: `No decision within ${props.timeout.toHumanString()}`,
    }));

    this.decision = new sfn.Choice(gate, 'Decision', { stateName: `${id}: approved?` });
    this.decision.otherwise(props.onRejected ?? new sfn.Fail(gate, 'RejectedFail', {
      stateName: `${id}: rejected`,
      error: REJECTED_ERROR,
      // Whoever may describe the execution reads its cause: by default, no personal data.
      causePath: props.causeIncludesApprover
        ? sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(resultPath))
        : sfn.JsonPath.format('{} (request {})', sfn.JsonPath.stringAt(`${resultPath}.decision`), sfn.JsonPath.stringAt(`${resultPath}.requestId`)),
    }));
    this.open.next(this.requestTask);
    this.requestTask.next(this.decision);
  }

  /** Whether the approved route is set. */
  public get isApprovedRouted(): boolean {
    return this.approvedRouted;
  }

  /** Sets the approved route (once). */
  public routeApproved(state: sfn.IChainable): sfn.Chain {
    if (this.approvedRouted) {
      throw new Error(`ApprovalGate '${this.props.id}': the approved route is already set; a gate continues to one state`);
    }
    this.decision.when(sfn.Condition.stringEquals(`${this.props.resultPath}.decision`, 'APPROVED'), state);
    this.approvedRouted = true;
    return sfn.Chain.start(state);
  }
}
