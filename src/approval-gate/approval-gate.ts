import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ApprovalBackend, BACKEND_SETTINGS } from './approval-backend';
import { ApprovalService } from './approval-service';
import { ApprovalServiceProps } from './approval-service-props';
import { undeliverableMetric } from './delivery-sweep';
import { addDeliveryStatements } from './gate-grants';
import { GATE_STATE_SUFFIXES, GateStates } from './gate-states';
import {
  describeValue, validateRecipients, validateReminders, validateSubject, validateSummary, validateTimeout,
} from './gate-validation';
import { GateTopic, gateEnvironment } from './request-side';
import { ServiceLink, linkOf } from './service-link';
import { checkProps } from '../private/prop-types';
import { ownsStates } from '../private/query-language';
import { required, requiredProps } from '../private/required';
import { checkDerivedStateNames } from '../private/state-names';
import { ResponderHost, STANDARD_MAX_SECONDS, registerTaskResponder } from '../private/task-responders';

/**
 * Properties for an `ApprovalGate`. The settings it shares with `ApprovalServiceProps` (the table,
 * the endpoint, the functions' logs) are the gate's own service's; a gate given a `service` takes none
 * of them: they are the service's.
 */
export interface ApprovalGateProps extends ApprovalServiceProps {
  /**
   * How long the gate waits for a decision before it takes the expired route. Also how long the
   * links work. From 1 minute to 365 days.
   */
  readonly timeout: Duration;

  /**
   * What is to be approved, shown in the message and on the confirmation page. Usually built from
   * the state input: in JSONPath with `sfn.JsonPath.format('Buy {} shares of {}', sfn.JsonPath.stringAt('$.count'), ...)`,
   * in JSONata with an expression such as `"{% 'Buy ' & $states.input.count & ' shares' %}"`; a
   * literal string works in both. Up to 4,000 characters are kept; the links carry the first 500.
   */
  readonly summary: string;

  /**
   * The query language of the gate's states: that of the workflow it runs in. A JSONata workflow
   * holds JSONata states only, and the gate in a JSONPath workflow may be either. In JSONata the gate
   * takes no state of its own beyond the request and the decision: the request id is computed in the
   * request step, and the expired decision is the output of its Catch.
   * @default sfn.QueryLanguage.JSON_PATH
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
   */
  readonly queryLanguage?: sfn.QueryLanguage;

  /**
   * The subject of the message: 1 to 99 printable ASCII characters.
   * @default - 'Approval requested: ' and the gate's id
   */
  readonly subject?: string;

  /**
   * Email addresses to subscribe to the topic. Each gets a message of its own, with links that
   * record that address as the approver (a subscription filter policy on the `recipient` message
   * attribute keeps the others' messages away). Each address must confirm its subscription once.
   * @default - no subscriptions: subscribe to `topic` yourself; the links then record no address
   */
  readonly approverEmails?: string[];

  /**
   * The topic to publish approval requests to.
   * @default - a topic encrypted with the AWS managed key for SNS that accepts only TLS requests
   */
  readonly topic?: sns.ITopic;

  /**
   * Where the decision goes in the state's output: `{ decision, approver, comment, decidedAt, requestId }`,
   * with `decision` one of `APPROVED`, `REJECTED`, `EXPIRED`.
   * @default '$.approval'
   */
  readonly resultPath?: string;

  /**
   * The state to go to when the request is approved.
   * @default - the state chained after the gate with `.next()`
   */
  readonly onApproved?: sfn.IChainable;

  /**
   * The state to go to when the request is rejected.
   * @default - a Fail state with error `ApprovalRejected`; its cause names the decision and the request id (see `causeIncludesApprover`)
   */
  readonly onRejected?: sfn.IChainable;

  /**
   * Whether the default rejected route's failure cause holds the whole decision, the approver's
   * identity (an email address) and comment included. The cause of a failed execution is read by
   * everyone who may describe the execution, usually many more people than may read the gate's table
   * (`grantReadRecords`), which always has them.
   * @default false - the cause is the decision and the request id, such as `REJECTED (request 6f1c2c55-...)`
   */
  readonly causeIncludesApprover?: boolean;

  /**
   * The state to go to when no decision came within `timeout`.
   * @default - a Fail state with error `ApprovalExpired`
   */
  readonly onExpired?: sfn.IChainable;

  /**
   * Sends the request again, with fresh links (same deadline), to approvers who have not decided
   * after this long, and again after each interval. From 5 minutes to less than `timeout`. With a
   * shared `service`, reminders go out within 5 minutes of each interval.
   * @default - no reminders
   */
  readonly reminderInterval?: Duration;

  /**
   * An approval service that this gate shares with others: its decision endpoint, table, signing key
   * and functions serve the gate, which then adds only its topic, subscriptions and grants. The
   * service's settings (`recordRetention`, `encryptionKey`, `removalPolicy`, `authorizer`,
   * `throttlingRateLimit`, `throttlingBurstLimit`, `decisionConcurrency`, `cloudWatchRole`,
   * `logRetention`) are then given to the service, not to the gate. Sharing trades the gate's IAM
   * isolation for fewer resources: see `ApprovalService`.
   * @default - a service of the gate's own: its own endpoint, table, signing key and functions
   */
  readonly service?: ApprovalService;
}

/**
 * Human approval inside a workflow: a request step that waits (`.waitForTaskToken`) while an SNS
 * message with signed approve/reject links goes out, a decision endpoint where a person confirms,
 * and routes for approved, rejected and expired.
 *
 * The task token is kept in the gate's table (and in the execution's history); links carry a request
 * id, the action, an expiry and an HMAC signature. Opening a link (GET) only shows a confirmation
 * page; the decision is a POST, recorded once with a conditional write, then delivered to the
 * workflow: the record says whether it is being delivered, was delivered, or came too late, and a
 * scheduled sweep settles every decision whose delivery was not confirmed. The gate must run in a
 * Standard `Workflow` (or a state machine given to `addStateMachine`), which it is allowed to answer.
 *
 * @exampleMetadata fixture=approval-gate
 * @example
 * const gate = new ApprovalGate(this, 'Approve trade', {
 *   timeout: Duration.hours(24),
 *   summary: sfn.JsonPath.format('Buy {} shares of {}', sfn.JsonPath.stringAt('$.count'), sfn.JsonPath.stringAt('$.symbol')),
 *   approverEmails: ['trading-desk@example.com'],
 * });
 * new Workflow(this, 'Trades', { definition: analyse.next(gate).next(trade) });
 */
export class ApprovalGate extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  /** The step that stores the task token, sends the message and waits. */
  public readonly requestTask: tasks.LambdaInvoke;
  /** The table of requests and decisions (the audit record). */
  public readonly table: dynamodb.Table;
  /** The topic approval requests are published to. */
  public readonly topic: sns.ITopic;
  /** The secret holding the HMAC key the links are signed with. */
  public readonly signingKey: secretsmanager.ISecret;
  /** The decision endpoint. */
  public readonly api: apigw.RestApi;
  /** The URL approvers' links point at. */
  public readonly decisionUrl: string;
  /** The function behind the request step. */
  public readonly requestFunction: lambda.IFunction;
  /** The function behind the decision endpoint. */
  public readonly decisionFunction: lambda.IFunction;
  /** The function that settles, on a schedule, the decisions whose delivery to the workflow is not confirmed. */
  public readonly sweepFunction: lambda.IFunction;
  /**
   * Fires when a decision could not be delivered to its workflow before the request's deadline (its
   * record's status is then UNDELIVERABLE): add an action to be told.
   */
  public readonly undeliverableAlarm: cloudwatch.Alarm;
  /** Where the decision goes in the state output. */
  public readonly resultPath: string;
  /** The query language of the gate's states. */
  public readonly queryLanguage: sfn.QueryLanguage;
  /** The shared service that serves the gate, if it was given one. */
  public readonly service?: ApprovalService;

  private readonly backend: ApprovalBackend;
  private readonly link?: ServiceLink;
  private taskResponsePolicy?: iam.Policy;
  private readonly states: GateStates;
  private readonly hosts: ResponderHost[] = [];
  private readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: ApprovalGateProps) {
    super(scope, id);
    requiredProps(props, `ApprovalGate '${id}'`, ['timeout', 'summary']);
    checkProps(`ApprovalGate '${id}'`, 'ApprovalGateProps', props);
    required(props.timeout, `ApprovalGate '${id}'`, 'timeout', 'give how long to wait for a decision, such as Duration.hours(24)');
    required(props.summary, `ApprovalGate '${id}'`, 'summary', "give what the approver is asked to decide, such as sfn.JsonPath.stringAt('$.summary')");
    const timeoutSeconds = validateTimeout(id, props.timeout);
    this.timeoutSeconds = timeoutSeconds;
    checkDerivedStateNames(`ApprovalGate '${id}'`, 'id', id, GATE_STATE_SUFFIXES);
    ownsStates(this, 'ApprovalGate');
    this.queryLanguage = props.queryLanguage ?? sfn.QueryLanguage.JSON_PATH;
    validateSummary(id, props.summary, this.queryLanguage);
    const recipients = validateRecipients(id, props.approverEmails ?? []);
    this.resultPath = props.resultPath ?? '$.approval';
    if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(this.resultPath)) {
      throw new Error(`ApprovalGate '${id}': resultPath must be a path to a field such as '$.approval' (got '${this.resultPath}'), so the gate's input is kept`);
    }
    const reminderSeconds = validateReminders(id, props.reminderInterval, timeoutSeconds);
    const subject = validateSubject(id, props.subject);
    const name = `ApprovalGate '${id}'`;

    let gateConfig: Record<string, unknown> | undefined;
    if (props.service !== undefined) {
      // A shared service: the gate adds its topic, its subscriptions and its grants, and its task tells the service who it is.
      const link = linkOf(props.service);
      if (!link) throw new Error(`${name}: service must be an ApprovalService (got ${describeValue(props.service)}); create one with new ApprovalService(this, 'Approvals')`);
      // (cloudWatchRole: false is the default: saying so changes nothing.)
      const given = BACKEND_SETTINGS.filter(setting => props[setting] !== undefined && !(setting === 'cloudWatchRole' && props[setting] === false));
      if (given.length > 0) {
        throw new Error(`${name}: ${given.join(', ')} ${given.length > 1 ? 'are settings' : 'is a setting'} of the ApprovalService the gate shares; `
          + `give ${given.length > 1 ? 'them' : 'it'} to the service (new ApprovalService(this, '${props.service.node.id}', { ${given[0]}: ... })), not to the gate`);
      }
      this.service = props.service;
      this.link = link;
      this.backend = link.backend;
      const topic = new GateTopic(this, { topic: props.topic, encryptionKey: link.backend.encryptionKey, recipients });
      link.attach(this, name, topic, reminderSeconds > 0);
      this.topic = topic.topic;
      gateConfig = {
        id: this.node.addr,
        topicArn: topic.topic.topicArn,
        recipients,
        subject,
        timeoutSeconds,
        reminderSeconds,
      };
    } else {
      // A service of the gate's own: the topic, the table, the key, the endpoint and the functions, all in the gate's scope.
      const topic = new GateTopic(this, { topic: props.topic, encryptionKey: props.encryptionKey, recipients });
      this.backend = new ApprovalBackend(this, name, props, () =>
        gateEnvironment({ recipients, topicArn: topic.topic.topicArn, timeoutSeconds, reminderSeconds, subject }));
      topic.grantPublish(this.backend.request.role);
      if (props.reminderInterval && reminderSeconds) this.backend.request.addReminders(props.reminderInterval, false);
      this.topic = topic.topic;
    }
    const backend = this.backend;
    this.table = backend.table;
    this.signingKey = backend.signingKey;
    this.api = backend.endpoint.api;
    this.decisionUrl = backend.endpoint.url;
    this.decisionFunction = backend.endpoint.function;
    this.sweepFunction = backend.sweep.function;
    this.undeliverableAlarm = backend.sweep.undeliverableAlarm;
    this.requestFunction = backend.request.function;

    // The states.
    this.states = new GateStates(this, {
      id,
      timeout: props.timeout,
      summary: props.summary,
      resultPath: this.resultPath,
      requestFunction: this.requestFunction,
      onRejected: props.onRejected,
      onExpired: props.onExpired,
      causeIncludesApprover: props.causeIncludesApprover ?? false,
      queryLanguage: this.queryLanguage,
      gate: gateConfig,
    });
    this.requestTask = this.states.requestTask;
    this.startState = this.states.start;
    this.endStates = [{ next: (state: sfn.IChainable) => this.states.routeApproved(state) }];
    if (props.onApproved) {
      this.states.routeApproved(props.onApproved);
      this.endStates = [{
        next: () => {
          throw new Error(`ApprovalGate '${id}': onApproved is set, so nothing can be chained after the gate with .next(); chain it after your onApproved state`);
        },
      }];
    }

    // The gate's task is the one that invokes its request function and waits for the token (with a
    // shared service's function, the one that names this gate).
    const functionArn = JSON.stringify(Stack.of(this).resolve(this.requestFunction.functionArn));
    registerTaskResponder(this, {
      matches: state => {
        const parameters = state.json.Parameters ?? state.json.Arguments;
        return state.resource?.endsWith('.waitForTaskToken') === true && JSON.stringify(parameters?.FunctionName) === functionArn
          && (gateConfig === undefined || parameters?.Payload?.gate?.id === gateConfig.id);
      },
      bind: host => this.bind(host),
    });
    this.node.addValidation({ validate: () => this.validateGate() });
  }

  /**
   * Allows the decision endpoint to answer a state machine you build yourself (not a `Workflow`)
   * that contains this gate. It must be a Standard state machine.
   */
  public addStateMachine(stateMachine: sfn.IStateMachine): void {
    required(stateMachine, `ApprovalGate '${this.node.id}': addStateMachine`, 'stateMachine', 'give the state machine that contains this gate');
    this.bind(hostOf(stateMachine));
  }

  /** Decisions that could not be delivered to their workflow before the request's deadline (the sweep settles them as UNDELIVERABLE). */
  public metricUndeliverableDecisions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    // With a shared service: its decisions, all its gates'.
    return undeliverableMetric(this.table, props);
  }

  /** Grants reading the table of requests and decisions (the audit record): with a shared service, the records of all its gates. */
  public grantReadRecords(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `ApprovalGate '${this.node.id}': grantReadRecords`, 'grantee', 'give the role, user or function to grant (an iam.IGrantable)');
    return this.table.grantReadData(grantee);
  }

  private bind(host: ResponderHost): void {
    this.hosts.push(host);
    if (host.isExpress) return;
    if (host.logsExecutionData) {
      Annotations.of(this).addWarningV2('cdk-workflow-patterns:approvalTokenLogged',
        `ApprovalGate '${this.node.id}': workflow ${host.owner.node.path} logs execution data, which writes the approval task token to CloudWatch Logs; set logging.includeExecutionData to false`);
    }
    if (this.link) {
      this.link.bind(this, host);
      return;
    }
    // The three functions deliver decisions: the decision endpoint, the sweep, and a retried request step.
    this.taskResponsePolicy ??= new iam.Policy(this, 'TaskResponsePolicy', { roles: this.backend.deliveryRoles });
    addDeliveryStatements(this.taskResponsePolicy, host.stateMachine);
  }

  private validateGate(): string[] {
    const errors: string[] = [];
    const name = `ApprovalGate '${this.node.id}'`;
    if (!this.states.isApprovedRouted) {
      errors.push(`${name}: nothing runs after approval; chain the next state with .next() or give onApproved`);
    }
    if (this.hosts.length === 0) {
      errors.push(`${name} is not in any Workflow, so no state machine may receive its decisions; put it in a Workflow's definition, or call addStateMachine() with the state machine you build from it`);
    }
    for (const host of this.hosts.filter(h => h.isExpress)) {
      errors.push(`${name} cannot run in workflow ${host.owner.node.path}: it waits for a person (.waitForTaskToken), which an ${host.typeName} workflow cannot do; use WorkflowType.standard()`);
    }
    // Equal to a workflow's own timeout is refused too: the states before the gate take some of its time. A workflow
    // without one runs up to Step Functions' one-year limit, where the gate's own longest timeout (365 days) stays allowed.
    const tooLong = (limit: number) => this.timeoutSeconds > limit || (this.timeoutSeconds === limit && limit < STANDARD_MAX_SECONDS);
    for (const host of this.hosts.filter(h => !h.isExpress && h.timeoutSeconds !== undefined && tooLong(h.timeoutSeconds))) {
      errors.push(`${name}: its timeout (${Duration.seconds(this.timeoutSeconds).toHumanString()}) is not shorter than workflow ${host.owner.node.path} may run `
        + `(${Duration.seconds(host.timeoutSeconds!).toHumanString()}), so the execution times out before the expired route can run; shorten the gate's timeout or lengthen the workflow's`);
    }
    return errors;
  }
}

/**
 * A state machine given to `addStateMachine`, as the gate must know it: its type and whether it logs
 * execution data (task tokens included), read from its CloudFormation resource when it has one in
 * the app (an imported one is taken as a Standard workflow that does not log execution data).
 */
function hostOf(stateMachine: sfn.IStateMachine): ResponderHost {
  const cfn = stateMachine.node.defaultChild;
  if (!(cfn instanceof sfn.CfnStateMachine)) {
    return { owner: stateMachine, stateMachine, isExpress: false, typeName: 'STANDARD', logsExecutionData: false };
  }
  const stack = Stack.of(cfn);
  const type = stack.resolve(cfn.stateMachineType);
  const logging = stack.resolve(cfn.loggingConfiguration);
  return {
    owner: stateMachine,
    stateMachine,
    isExpress: type === 'EXPRESS',
    typeName: typeof type === 'string' ? type : 'STANDARD',
    logsExecutionData: logging?.includeExecutionData === true && logging?.level !== 'OFF',
  };
}
