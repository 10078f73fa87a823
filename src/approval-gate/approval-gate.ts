import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DecisionFunction } from './decision-function';
import { RequestFunction } from './request-function';
import { PENDING_INDEX } from '../private/approval/records';
import { functionLogs, functionRole } from '../private/functions';
import { suppressNag } from '../private/nag';
import { required, requiredProps } from '../private/required';
import { loggedStageOptions, suppressRestApiNag, validateThrottling } from '../private/rest-api';
import { recordTable } from '../private/tables';
import { ResponderHost, registerTaskResponder } from '../private/task-responders';
import { LambdaRetry } from '../workflow/lambda-retry';

/**
 * Properties for an `ApprovalGate`.
 */
export interface ApprovalGateProps {
  /**
   * How long the gate waits for a decision before it takes the expired route; also how long the
   * links work. From 1 minute to 365 days.
   */
  readonly timeout: Duration;

  /**
   * What is to be approved, shown in the message and on the confirmation page. Usually built from
   * the state input with `sfn.JsonPath.format('Buy {} shares of {}', sfn.JsonPath.stringAt('$.count'), ...)`;
   * a literal string works too. Up to 4,000 characters are kept; the links carry the first 500.
   */
  readonly summary: string;

  /**
   * The subject of the message (printable ASCII, at most 100 characters).
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
   * @default - a Fail state with error `ApprovalRejected` and the decision as its cause
   */
  readonly onRejected?: sfn.IChainable;

  /**
   * The state to go to when no decision came within `timeout`.
   * @default - a Fail state with error `ApprovalExpired`
   */
  readonly onExpired?: sfn.IChainable;

  /**
   * How long a request's record (who decided what, when, and the comment) is kept after its
   * deadline before DynamoDB's time to live removes it.
   * @default Duration.days(90)
   */
  readonly recordRetention?: Duration;

  /**
   * A customer managed key for the table, the signing key secret and the topic the gate creates.
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table of requests (the audit records) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * An authorizer for the decision endpoint (Cognito user pools, Lambda). With one, approvers
   * authenticate before they decide and the approver recorded is their identity (the `email` claim,
   * the Cognito user name or the principal id); the signed link is still required.
   * @default - none: the signed link is the credential
   */
  readonly authorizer?: apigw.IAuthorizer;

  /**
   * Steady-state requests per second the decision endpoint accepts.
   * @default 10
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the decision endpoint accepts.
   * @default 20
   */
  readonly throttlingBurstLimit?: number;

  /**
   * How long to keep the endpoint's access logs and the functions' logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Sends the request again, with fresh links (same deadline), to approvers who have not decided
   * after this long, and again after each interval. From 5 minutes to less than `timeout`.
   * @default - no reminders
   */
  readonly reminderInterval?: Duration;
}

/** Error names of the default Fail states. */
const REJECTED_ERROR = 'ApprovalRejected';
const EXPIRED_ERROR = 'ApprovalExpired';
const STAGE = 'prod';
/** What the request function throws when a service it calls is throttled or failing (see request.lambda.ts). */
const TRANSIENT_ERROR = 'ApprovalGate.TransientError';
const JSON_NULL = sfn.JsonPath.stringAt("States.StringToJson('null')");
const MIN_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 365 * 24 * 3600;
const MAX_RECIPIENTS = 20;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/**
 * Human approval inside a workflow: a request step that waits (`.waitForTaskToken`) while an SNS
 * message with signed approve/reject links goes out, a decision endpoint where a person confirms,
 * and routes for approved, rejected and expired.
 *
 * The task token never leaves the gate's table; links carry a request id, the action, an expiry
 * and an HMAC signature. Opening a link (GET) only shows a confirmation page; the decision is a
 * POST, recorded once with a conditional write, then sent to the workflow. The gate must run in a
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
  /** Where the decision goes in the state output. */
  public readonly resultPath: string;

  private readonly decisionRole: iam.Role;
  private readonly decision: sfn.Choice;
  private readonly hosts: ResponderHost[] = [];
  private taskResponsePolicy?: iam.Policy;
  private approvedRouted = false;

  constructor(scope: Construct, id: string, props: ApprovalGateProps) {
    super(scope, id);
    requiredProps(props, `ApprovalGate '${id}'`, ['timeout', 'summary']);
    required(props.timeout, `ApprovalGate '${id}'`, 'timeout', 'give how long to wait for a decision, such as Duration.hours(24)');
    required(props.summary, `ApprovalGate '${id}'`, 'summary', "give what the approver is asked to decide, such as sfn.JsonPath.stringAt('$.summary')");
    const timeoutSeconds = validateTimeout(id, props.timeout);
    const recipients = validateRecipients(id, props.approverEmails ?? []);
    this.resultPath = props.resultPath ?? '$.approval';
    if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(this.resultPath)) {
      throw new Error(`ApprovalGate '${id}': resultPath must be a path to a field such as '$.approval' (got '${this.resultPath}'), so the gate's input is kept`);
    }
    const reminderSeconds = validateReminders(id, props.reminderInterval, timeoutSeconds);
    const retention = props.recordRetention ?? Duration.days(90);
    if (!retention.isUnresolved() && retention.toSeconds() < 0) {
      throw new Error(`ApprovalGate '${id}': recordRetention cannot be negative (got ${retention.toHumanString()})`);
    }
    const rate = props.throttlingRateLimit ?? 10;
    const burst = props.throttlingBurstLimit ?? 20;
    validateThrottling(`ApprovalGate '${id}'`, rate, burst);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    // The record of every request. Encrypted, recoverable to any second of the last 35 days, and
    // removed by TTL only after its deadline plus the retention.
    this.table = recordTable(this, 'Requests', 'requestId', props.encryptionKey, props.removalPolicy);

    const secret = new secretsmanager.Secret(this, 'SigningKey', {
      description: `HMAC key that signs the approval links of ${this.node.path}`,
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    suppressNag(secret, [{
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the link signing key would invalidate every approval link in flight. The key is read only by the gate\'s two functions and links expire with the gate\'s timeout.',
    }]);
    this.signingKey = secret;

    // The AWS managed key for SNS: no key policy to manage, no key grants needed to publish.
    const snsManagedKey = props.topic || props.encryptionKey ? undefined : kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    this.topic = props.topic ?? new sns.Topic(this, 'Topic', {
      displayName: 'Approval requests',
      enforceSSL: true,
      masterKey: props.encryptionKey ?? snsManagedKey,
    });
    for (const address of recipients) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address, {
        filterPolicy: { recipient: sns.SubscriptionFilter.stringFilter({ allowlist: [address] }) },
      }));
    }

    const stack = Stack.of(this);
    this.api = new apigw.RestApi(this, 'Api', {
      description: `Approve/reject endpoint of ${this.node.path}`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: loggedStageOptions(STAGE, new logs.LogGroup(this, 'AccessLogs', { retention: logRetention }), rate, burst),
    });
    // Built from the API id alone: the request function must not depend on the deployment, which
    // depends on the decision function.
    this.decisionUrl = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE}/decision`;

    const environment = {
      TABLE_NAME: this.table.tableName,
      SIGNING_KEY_SECRET_ARN: secret.secretArn,
    };
    const requestRole = functionRole(this, 'RequestRole');
    const request = new RequestFunction(this, 'RequestFunction', {
      description: `Stores the task token and sends the approval request of ${this.node.path}`,
      role: requestRole,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup: functionLogs(this, 'RequestLogs', requestRole, logRetention),
      environment: {
        ...environment,
        TOPIC_ARN: this.topic.topicArn,
        DECISION_URL: this.decisionUrl,
        TIMEOUT_SECONDS: String(timeoutSeconds),
        RETENTION_SECONDS: String(retention.toSeconds()),
        ...(reminderSeconds ? { REMINDER_SECONDS: String(reminderSeconds) } : {}),
        RECIPIENTS: recipients.join(','),
        SUBJECT: props.subject ?? `Approval requested: ${id}`,
      },
    });
    grantTable(request, [this.table.tableArn], 'dynamodb:PutItem');
    secret.grantRead(request);
    this.topic.grantPublish(request);
    if (this.topic.masterKey && this.topic.masterKey !== snsManagedKey) {
      suppressNag(requestRole.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'SNS grantPublish on an encrypted topic allows kms:GenerateDataKey* on the topic\'s key only: the data key SNS asks for when the function publishes.',
        appliesTo: ['Action::kms:GenerateDataKey*'],
      }]);
    }
    this.requestFunction = request;

    this.decisionRole = functionRole(this, 'DecisionRole');
    const decision = new DecisionFunction(this, 'DecisionFunction', {
      description: `Records approve/reject decisions and sends them to the workflow, for ${this.node.path}`,
      role: this.decisionRole,
      memorySize: 256,
      timeout: Duration.seconds(20),
      logGroup: functionLogs(this, 'DecisionLogs', this.decisionRole, logRetention),
      environment,
    });
    grantTable(decision, [this.table.tableArn], 'dynamodb:UpdateItem');
    secret.grantRead(decision);
    if (props.encryptionKey) {
      // What DynamoDB, Secrets Manager and SNS ask of the caller's key permissions; no wildcards.
      props.encryptionKey.grant(request, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
      props.encryptionKey.grant(decision, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    this.decisionFunction = decision;
    this.addEndpoint(props.authorizer, decision);
    if (reminderSeconds) this.addReminders(request, props.reminderInterval!);

    // The states.
    const open = new sfn.Pass(this, 'Open', {
      stateName: `${id}: open request`,
      comment: 'A random request id: the only handle on the request outside the workflow.',
      parameters: { requestId: sfn.JsonPath.uuid(), requestedAt: sfn.JsonPath.stateEnteredTime },
      resultPath: this.resultPath,
    });
    this.requestTask = new tasks.LambdaInvoke(this, 'Request', {
      stateName: id,
      comment: 'Stores the task token, sends the approval request and waits for the decision.',
      lambdaFunction: request,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        requestId: sfn.JsonPath.stringAt(`${this.resultPath}.requestId`),
        summary: props.summary,
        executionArn: sfn.JsonPath.executionId,
      }),
      resultPath: this.resultPath,
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

    const expired = new sfn.Pass(this, 'Expired', {
      stateName: `${id}: expired`,
      parameters: {
        decision: 'EXPIRED',
        // CDK drops null parameters: an intrinsic gives the decision the same shape on every route.
        approver: JSON_NULL,
        comment: JSON_NULL,
        decidedAt: sfn.JsonPath.stateEnteredTime,
        requestId: sfn.JsonPath.stringAt(`${this.resultPath}.requestId`),
      },
      resultPath: this.resultPath,
    });
    this.requestTask.addCatch(expired, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    expired.next(props.onExpired ?? new sfn.Fail(this, 'ExpiredFail', {
      stateName: `${id}: no decision`,
      error: EXPIRED_ERROR,
      cause: `No decision within ${props.timeout.toHumanString()}`,
    }));

    this.decision = new sfn.Choice(this, 'Decision', { stateName: `${id}: approved?` });
    this.decision.otherwise(props.onRejected ?? new sfn.Fail(this, 'RejectedFail', {
      stateName: `${id}: rejected`,
      error: REJECTED_ERROR,
      causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(this.resultPath)),
    }));
    open.next(this.requestTask);
    this.startState = open;
    this.requestTask.next(this.decision);

    this.endStates = [{ next: (state: sfn.IChainable) => this.routeApproved(id, state) }];
    if (props.onApproved) {
      this.routeApproved(id, props.onApproved);
      this.endStates = [{
        next: () => {
          throw new Error(`ApprovalGate '${id}': onApproved is set, so nothing can be chained after the gate with .next(); chain it after your onApproved state`);
        },
      }];
    }

    // The gate's task is the one that invokes its request function and waits for the token.
    const functionArn = JSON.stringify(stack.resolve(request.functionArn));
    registerTaskResponder(this, {
      matches: state => state.resource?.endsWith('.waitForTaskToken') === true
        && JSON.stringify(state.json.Parameters?.FunctionName) === functionArn,
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
    this.bind({ owner: stateMachine, stateMachine, isExpress: false, typeName: 'STANDARD', logsExecutionData: false });
  }

  /** Grants reading the table of requests and decisions (the audit record). */
  public grantReadRecords(grantee: iam.IGrantable): iam.Grant {
    required(grantee, `ApprovalGate '${this.node.id}': grantReadRecords`, 'grantee', 'give the role, user or function to grant (an iam.IGrantable)');
    return this.table.grantReadData(grantee);
  }

  private bind(host: ResponderHost): void {
    this.hosts.push(host);
    if (host.isExpress) return;
    // SendTaskSuccess only (a rejection is a successful decision too), and only for this state machine.
    this.taskResponsePolicy ??= new iam.Policy(this, 'TaskResponsePolicy', { roles: [this.decisionRole] });
    this.taskResponsePolicy.addStatements(new iam.PolicyStatement({
      actions: ['states:SendTaskSuccess'],
      resources: [host.stateMachine.stateMachineArn],
    }));
    if (host.logsExecutionData) {
      Annotations.of(this).addWarningV2('cdk-workflow-patterns:approvalTokenLogged',
        `ApprovalGate '${this.node.id}': workflow ${host.owner.node.path} logs execution data, which writes the approval task token to CloudWatch Logs; set logging.includeExecutionData to false`);
    }
  }

  private routeApproved(id: string, state: sfn.IChainable): sfn.Chain {
    if (this.approvedRouted) {
      throw new Error(`ApprovalGate '${id}': the approved route is already set; a gate continues to one state`);
    }
    this.decision.when(sfn.Condition.stringEquals(`${this.resultPath}.decision`, 'APPROVED'), state);
    this.approvedRouted = true;
    return sfn.Chain.start(state);
  }

  /** A schedule that has the request function remind approvers of requests still pending. */
  private addReminders(request: lambda.Function, interval: Duration): void {
    this.table.addGlobalSecondaryIndex({
      indexName: PENDING_INDEX,
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'expiresAt', type: dynamodb.AttributeType.NUMBER },
      // Never the task token: only what a reminder needs.
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['summary', 'executionArn', 'recipients', 'notifiedAt'],
    });
    grantTable(request, [`${this.table.tableArn}/index/${PENDING_INDEX}`], 'dynamodb:Query');
    grantTable(request, [this.table.tableArn], 'dynamodb:UpdateItem');
    new events.Rule(this, 'Reminders', {
      description: `Reminds the approvers of ${this.node.path} of requests still pending`,
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(request, { event: events.RuleTargetInput.fromObject({ reminder: true }), retryAttempts: 2 })],
    });
  }

  private addEndpoint(authorizer: apigw.IAuthorizer | undefined, decision: lambda.IFunction): void {
    const validator = new apigw.RequestValidator(this, 'LinkValidator', {
      restApi: this.api,
      validateRequestParameters: true,
    });
    const resource = this.api.root.addResource('decision');
    const requestParameters = Object.fromEntries(['id', 'a', 'exp', 'sig'].map(p => [`method.request.querystring.${p}`, true]));
    const integration = new apigw.LambdaIntegration(decision);
    for (const httpMethod of ['GET', 'POST']) {
      const method = resource.addMethod(httpMethod, integration, {
        requestParameters,
        requestValidator: validator,
        ...(authorizer ? { authorizer } : { authorizationType: apigw.AuthorizationType.NONE }),
      });
      if (!authorizer) {
        const reason = 'Approvers open a link from a message: the HMAC-signed, expiring, single-use link is the credential (GET changes nothing); give an authorizer to require a sign-in as well.';
        suppressNag(method, [{ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason }]);
      }
    }
    suppressRestApiNag(this.api);
    suppressNag(this.api, [{
      id: 'AwsSolutions-APIG2',
      reason: 'API Gateway validates the link parameters (id, a, exp, sig); the body is an HTML form (application/x-www-form-urlencoded), which JSON-schema models cannot describe, so the function validates it (size, type, fields).',
    }]);
  }

  private validateGate(): string[] {
    const errors: string[] = [];
    const name = `ApprovalGate '${this.node.id}'`;
    if (!this.approvedRouted) {
      errors.push(`${name}: nothing runs after approval; chain the next state with .next() or give onApproved`);
    }
    if (this.hosts.length === 0) {
      errors.push(`${name} is not in any Workflow, so no state machine may receive its decisions; put it in a Workflow's definition, or call addStateMachine() with the state machine you build from it`);
    }
    for (const host of this.hosts.filter(h => h.isExpress)) {
      errors.push(`${name} cannot run in workflow ${host.owner.node.path}: it waits for a person (.waitForTaskToken), which an ${host.typeName} workflow cannot do; use WorkflowType.standard()`);
    }
    return errors;
  }
}

function validateTimeout(id: string, timeout: Duration): number {
  if (timeout.isUnresolved()) {
    throw new Error(`ApprovalGate '${id}': timeout must be a known duration (the links' expiry is computed from it)`);
  }
  const seconds = timeout.toMilliseconds() / 1000;
  if (seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS || !Number.isInteger(seconds)) {
    const shown = Number.isInteger(seconds) ? timeout.toHumanString() : `${seconds} seconds`;
    throw new Error(`ApprovalGate '${id}': timeout must be a whole number of seconds between 1 minute and 365 days (got ${shown})`);
  }
  return seconds;
}

function validateReminders(id: string, interval: Duration | undefined, timeoutSeconds: number): number {
  if (interval === undefined) return 0;
  if (interval.isUnresolved()) throw new Error(`ApprovalGate '${id}': reminderInterval must be a known duration`);
  const seconds = interval.toSeconds({ integral: false });
  if (seconds < 300 || seconds >= timeoutSeconds || !Number.isInteger(seconds / 60)) {
    throw new Error(`ApprovalGate '${id}': reminderInterval must be whole minutes, from 5 minutes to less than the timeout (${timeoutSeconds / 60} minutes) (got ${interval.toHumanString()})`);
  }
  return seconds;
}

/** Allows actions on exact table (or index) ARNs, without the `index/*` that Table.grant adds. */
function grantTable(grantee: iam.IGrantable, resourceArns: string[], ...actions: string[]): void {
  iam.Grant.addToPrincipal({ grantee, actions, resourceArns });
}

function validateRecipients(id: string, addresses: string[]): string[] {
  if (addresses.length > MAX_RECIPIENTS) {
    throw new Error(`ApprovalGate '${id}': at most ${MAX_RECIPIENTS} approverEmails (got ${addresses.length}); subscribe a distribution list instead`);
  }
  const seen = new Set<string>();
  for (const address of addresses) {
    if (Token.isUnresolved(address) || !EMAIL.test(address)) {
      throw new Error(`ApprovalGate '${id}': approverEmails must be literal email addresses (got '${address}')`);
    }
    if (seen.has(address.toLowerCase())) {
      throw new Error(`ApprovalGate '${id}': approverEmails lists '${address}' twice`);
    }
    seen.add(address.toLowerCase());
  }
  return addresses;
}
