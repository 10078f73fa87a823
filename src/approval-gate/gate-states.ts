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
import { declareQueryLanguage, readAtPath, setAtPath } from '../private/query-language';
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
  readonly queryLanguage: sfn.QueryLanguage;
  /** The gate's settings, sent in the request for a shared service's function to serve it. */
  readonly gate?: Record<string, unknown>;
}

/** The suffixes of the state names the gate derives from its id. */
export const GATE_STATE_SUFFIXES = ['', ': open request', ': expired', ': no decision', ': approved?', ': rejected'];

/**
 * In JSONata, the request id: the same in the request and in the expired route of one entry into the
 * request state, so that it costs no state of its own. It is the SHA-256 of what makes the entry
 * unique: the execution, the state, when it was entered, and its input (which tells apart the items
 * of a Map entering at the same moment). The links that carry it are signed: knowing it grants nothing.
 */
const REQUEST_ID = "$hash($states.context.Execution.Id & '|' & $states.context.State.Name & '|' & $states.context.State.EnteredTime"
  + " & '|' & $string($states.input), 'SHA-256')";

export class GateStates {
  /** The gate's start state: in JSONPath the Pass that gives the request its id, in JSONata the request step. */
  public readonly start: sfn.State;
  /** Stores the task token, sends the message and waits. */
  public readonly requestTask: tasks.LambdaInvoke;
  private readonly decision: sfn.Choice;
  private approvedRouted = false;

  constructor(private readonly gate: Construct, private readonly props: GateStatesProps) {
    const jsonata = props.queryLanguage === sfn.QueryLanguage.JSONATA;
    const { id } = props;
    this.requestTask = jsonata ? this.jsonataRequest() : this.jsonPathRequest();
    LambdaRetry.addTo(this.requestTask);
    // The request function's own dependencies (DynamoDB, SNS, Secrets Manager) throttled or failing.
    this.requestTask.addRetry({
      errors: [TRANSIENT_ERROR],
      interval: Duration.seconds(2),
      maxAttempts: 4,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    this.declare(this.requestTask);

    const expiredFail = () => this.declare(new sfn.Fail(gate, 'ExpiredFail', {
      stateName: `${id}: no decision`,
      error: EXPIRED_ERROR,
      cause: `No decision within ${props.timeout.toHumanString()}`,
      queryLanguage: props.queryLanguage,
    }));
    this.decision = this.declare(new sfn.Choice(gate, 'Decision', { stateName: `${id}: approved?`, queryLanguage: props.queryLanguage }));
    const rejectedFail = () => this.declare(new sfn.Fail(gate, 'RejectedFail', {
      stateName: `${id}: rejected`,
      error: REJECTED_ERROR,
      queryLanguage: props.queryLanguage,
      // Whoever may describe the execution reads its cause: by default, no personal data.
      ...(jsonata ? { cause: this.jsonataCause() } : { causePath: this.jsonPathCause() }),
    }));
    this.decision.otherwise(props.onRejected ?? rejectedFail());

    if (jsonata) {
      // The expired decision is the Catch's output: no state of its own.
      this.requestTask.addCatch(props.onExpired ?? expiredFail(), {
        errors: [sfn.Errors.TIMEOUT],
        outputs: `{% ${setAtPath('$states.input', props.resultPath, '{"decision": "EXPIRED", "approver": null, "comment": null, '
          + `"decidedAt": $fromMillis($toMillis($states.context.State.EnteredTime) + ${props.timeout.toMilliseconds()}), "requestId": ${REQUEST_ID}}`)} %}`,
      });
      this.start = this.requestTask;
    } else {
      const open = this.declare(new sfn.Pass(gate, 'Open', {
        stateName: `${id}: open request`,
        comment: 'A random request id: the only handle on the request outside the workflow.',
        parameters: { requestId: sfn.JsonPath.uuid() },
        resultPath: props.resultPath,
        queryLanguage: props.queryLanguage,
      }));
      const expired = this.declare(new sfn.Pass(gate, 'Expired', {
        stateName: `${id}: expired`,
        parameters: {
          decision: 'EXPIRED',
          // CDK drops null parameters: an intrinsic gives the decision the same shape on every route.
          approver: JSON_NULL,
          comment: JSON_NULL,
          decidedAt: sfn.JsonPath.stateEnteredTime,
          requestId: sfn.JsonPath.stringAt(`${props.resultPath}.requestId`),
        },
        resultPath: props.resultPath,
        queryLanguage: props.queryLanguage,
      }));
      this.requestTask.addCatch(expired, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
      expired.next(props.onExpired ?? expiredFail());
      open.next(this.requestTask);
      this.start = open;
    }
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
    const approved = this.props.queryLanguage === sfn.QueryLanguage.JSONATA
      ? sfn.Condition.jsonata(`{% ${readAtPath('$states.input', this.props.resultPath)}.decision = "APPROVED" %}`)
      : sfn.Condition.stringEquals(`${this.props.resultPath}.decision`, 'APPROVED');
    this.decision.when(approved, state);
    this.approvedRouted = true;
    return sfn.Chain.start(state);
  }

  /** What the request task is in either language: the language decides only how its values are read and written. */
  private requestOptions() {
    const { props } = this;
    return {
      stateName: props.id,
      comment: 'Stores the task token, sends the approval request and waits for the decision.',
      lambdaFunction: props.requestFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      taskTimeout: sfn.Timeout.duration(props.timeout),
      retryOnServiceExceptions: false,
    };
  }

  private jsonPathRequest(): tasks.LambdaInvoke {
    const { props } = this;
    return tasks.LambdaInvoke.jsonPath(this.gate, 'Request', {
      ...this.requestOptions(),
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        requestId: sfn.JsonPath.stringAt(`${props.resultPath}.requestId`),
        summary: props.summary,
        executionArn: sfn.JsonPath.executionId,
        ...(props.gate ? { gate: props.gate } : {}),
      }),
      resultPath: props.resultPath,
    });
  }

  private jsonataRequest(): tasks.LambdaInvoke {
    const { props } = this;
    return tasks.LambdaInvoke.jsonata(this.gate, 'Request', {
      ...this.requestOptions(),
      payload: sfn.TaskInput.fromObject({
        taskToken: '{% $states.context.Task.Token %}',
        requestId: `{% ${REQUEST_ID} %}`,
        summary: props.summary,
        executionArn: '{% $states.context.Execution.Id %}',
        ...(props.gate ? { gate: props.gate } : {}),
      }),
      outputs: `{% ${setAtPath('$states.input', props.resultPath, '$states.result')} %}`,
    });
  }

  private jsonPathCause(): string {
    const { resultPath } = this.props;
    return this.props.causeIncludesApprover
      ? sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(resultPath))
      : sfn.JsonPath.format('{} (request {})', sfn.JsonPath.stringAt(`${resultPath}.decision`), sfn.JsonPath.stringAt(`${resultPath}.requestId`));
  }

  private jsonataCause(): string {
    const decision = readAtPath('$states.input', this.props.resultPath);
    return this.props.causeIncludesApprover
      ? `{% $string(${decision}) %}`
      : `{% ${decision}.decision & ' (request ' & ${decision}.requestId & ')' %}`;
  }

  /** The state, declaring the gate's query language; a JSONPath one refused in a JSONata state machine. */
  private declare<T extends sfn.State>(state: T): T {
    return declareQueryLanguage(state, this.props.queryLanguage, () =>
      `ApprovalGate '${this.props.id}': state '${state.stateId}' is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; `
      + "give the gate queryLanguage: sfn.QueryLanguage.JSONATA (and a JSONata summary, such as \"{% 'Buy ' & $states.input.symbol %}\")");
  }
}
