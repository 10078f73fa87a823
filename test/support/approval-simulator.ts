/**
 * Runs an ApprovalGate end to end on this machine: its real request and decision handlers (from the
 * sources, or the bundles in a cloud assembly) against in-memory DynamoDB, SNS, Secrets Manager and
 * Step Functions. A scripted approver reads the published message, opens the link (GET) and confirms
 * (POST); the decision the handler sends with SendTaskSuccess becomes the callback's result.
 *
 * The fakes implement what the handlers use, and fail loudly on anything else.
 */
import {
  AttributeValue, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, PutItemCommandInput, UpdateItemCommand, UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { CfnTemplate, resolveIntrinsics } from './asl';
import { CallbackHandler, HarnessError, TaskCall, TaskHandler } from './local-execution';

/** What a scripted approver does with the message addressed to them. */
export interface ApprovalScript {
  /** The address whose message is used ('' for a message to the topic at large). */
  readonly by: string;
  readonly action: 'approve' | 'reject';
  readonly comment?: string;
  /** Submits the form a second time afterwards (the answer must be 409). */
  readonly submitTwice?: boolean;
}

/** One page the endpoint served. */
export interface ServedPage {
  readonly method: string;
  readonly statusCode: number;
  readonly title: string;
}

interface PageResult { readonly statusCode: number; readonly headers?: Record<string, string>; readonly body: string }

/** What `runLocally` needs for a simulated gate. */
export interface GateRun {
  readonly resources: Record<string, TaskHandler>;
  readonly callbacks: Record<string, CallbackHandler>;
}

/** A gate's two handlers and the environment the template gives each. */
export interface GateFunctions {
  /** The placeholder ARN of the request function, as the ASL names it. */
  readonly requestArn: string;
  readonly request: TaskHandler;
  readonly decision: TaskHandler;
  readonly requestEnv: Record<string, string>;
  readonly decisionEnv: Record<string, string>;
}

const SIGNING_KEY = 'local-signing-key-0123456789abcdef-0123456789abcdef';

/**
 * Finds the request and decision functions of the gate whose task is `state` in a resolved
 * template: the task invokes the request function, and the decision function shares its table.
 */
export function gateFunctionsIn(template: CfnTemplate, asl: any, state: string, handlers: Record<string, TaskHandler>): GateFunctions {
  const task = findState(asl, state);
  const requestArn = String(task?.Parameters?.FunctionName ?? '');
  const resources = Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const envOf = (resource: any): Record<string, string> => {
    const vars = resolveIntrinsics(resource.Properties?.Environment?.Variables ?? {}, template);
    return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  };
  const request = resources.find(([id]) => requestArn.endsWith(`:function:${id}`));
  if (!request || !handlers[requestArn]) {
    throw new HarnessError(`approval simulator: state '${state}' does not invoke an ApprovalGate request function whose code is available`);
  }
  const requestEnv = envOf(request[1]);
  const decision = resources.find(([, r]) => {
    const env = envOf(r);
    return env.TABLE_NAME === requestEnv.TABLE_NAME && env.TOPIC_ARN === undefined;
  });
  const decisionArn = decision ? Object.keys(handlers).find(arn => arn.endsWith(`:function:${decision[0]}`)) : undefined;
  if (!decision || !decisionArn) {
    throw new HarnessError(`approval simulator: no decision function shares the table of state '${state}'`);
  }
  return { requestArn, request: handlers[requestArn], decision: handlers[decisionArn], requestEnv, decisionEnv: envOf(decision[1]) };
}

function findState(asl: any, name: string): any {
  for (const [key, state] of Object.entries<any>(asl?.States ?? {})) {
    if (key === name) return state;
    for (const nested of [...(state.Branches ?? []), state.ItemProcessor, state.Iterator].filter(Boolean)) {
      const found = findState(nested, name);
      if (found) return found;
    }
  }
  return undefined;
}

export class ApprovalSimulator {
  /** The gate's table, by request id. */
  public readonly table = new Map<string, Record<string, AttributeValue>>();
  /** Every message published. */
  public readonly messages: PublishCommandInput[] = [];
  /** Every page the endpoint served, in order. */
  public readonly pages: ServedPage[] = [];
  /** What the handlers logged, in order (their audit records). */
  public readonly logs: string[] = [];
  private readonly outputs = new Map<string, string>();
  private readonly stubs: AwsStub<any, any, any>[] = [];

  constructor() {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const ddb = mockClient(DynamoDBClient);
    ddb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => this.putItem(input));
    ddb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => this.updateItem(input));
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      this.messages.push(input);
      return { MessageId: `m-${this.messages.length}` };
    });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SIGNING_KEY });
    const sfn = mockClient(SFNClient);
    sfn.on(SendTaskSuccessCommand).callsFake(input => {
      if (this.outputs.has(input.taskToken)) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
      this.outputs.set(input.taskToken, input.output);
      return {};
    });
    sfn.on(SendTaskFailureCommand).rejects(new HarnessError('approval simulator: the decision function must not call SendTaskFailure'));
    sfn.on(SendTaskHeartbeatCommand).rejects(new HarnessError('approval simulator: the decision function must not call SendTaskHeartbeat'));
    this.stubs.push(ddb, sns, secrets, sfn);
  }

  /**
   * What a local run needs for one gate: its request function (run with the environment the
   * template gives it) and the callback of its task state, in which the approver decides as scripted.
   */
  public gate(state: string, functions: GateFunctions, script: ApprovalScript): GateRun {
    const request: TaskHandler = (payload, call) => this.capturing(() => withEnv(functions.requestEnv, () => functions.request(payload, call)));
    const callback: CallbackHandler = async (_request: unknown, call: TaskCall) => {
      const token = call.taskToken!;
      const message = [...this.messages].reverse().find(m => (m.MessageAttributes?.recipient?.StringValue ?? '') === script.by);
      if (!message) throw new HarnessError(`approval simulator: no message was published to '${script.by}'`);
      const link = (message.Message ?? '').match(new RegExp(`${script.action === 'approve' ? 'Approve' : 'Reject'}:\\s+(https://\\S+)`))?.[1];
      if (!link) throw new HarnessError(`approval simulator: the message to '${script.by}' has no ${script.action} link`);
      const query = Object.fromEntries(new URL(link).searchParams.entries());
      const form = new URLSearchParams({ decision: script.action, ...(script.comment ? { comment: script.comment } : {}) }).toString();
      await this.open(functions, 'GET', query);
      const posted = await this.open(functions, 'POST', query, form);
      if (script.submitTwice) await this.open(functions, 'POST', query, form);
      const output = this.outputs.get(token);
      if (output === undefined) throw new HarnessError(`approval simulator: the decision was not sent (the endpoint answered ${posted.statusCode})`);
      return JSON.parse(output);
    };
    return { resources: { [functions.requestArn]: request }, callbacks: { [state]: callback } };
  }

  /** Removes the fakes. */
  public restore(): void {
    for (const stub of this.stubs) stub.restore();
  }

  private async open(functions: GateFunctions, method: string, query: Record<string, string>, body?: string): Promise<PageResult> {
    const event = {
      httpMethod: method,
      path: '/decision',
      resource: '/decision',
      queryStringParameters: query,
      body: body ?? null,
      isBase64Encoded: false,
      headers: body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      requestContext: { identity: {} },
    } as unknown as APIGatewayProxyEvent;
    const page = await this.capturing(() => withEnv(functions.decisionEnv,
      () => functions.decision(event, { state: '(endpoint)', resource: '', input: event, attempt: 1 }))) as PageResult;
    this.pages.push({ method, statusCode: page.statusCode, title: page.body.match(/<title>(.*?)<\/title>/)?.[1] ?? '' });
    return page;
  }

  /** Runs a handler with what it writes to the console kept in `logs`. */
  private async capturing<T>(run: () => Promise<T>): Promise<T> {
    const saved = { log: console.log, error: console.error };
    const keep = (...args: unknown[]) => { this.logs.push(args.map(String).join(' ')); };
    console.log = keep;
    console.error = keep;
    try {
      return await run();
    } finally {
      console.log = saved.log;
      console.error = saved.error;
    }
  }

  private putItem(input: PutItemCommandInput) {
    const key = input.Item?.requestId?.S ?? '';
    const existing = this.table.get(key);
    if (input.ConditionExpression && !holds(input.ConditionExpression, existing, input)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    this.table.set(key, { ...input.Item });
    return {};
  }

  private updateItem(input: UpdateItemCommandInput) {
    const key = input.Key?.requestId?.S ?? '';
    const existing = this.table.get(key);
    if (input.ConditionExpression && !holds(input.ConditionExpression, existing, input)) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing ? { Item: existing } : {}),
      });
    }
    const item = { ...(existing ?? input.Key) } as Record<string, AttributeValue>;
    const expression = input.UpdateExpression ?? '';
    const set = expression.match(/SET (.*?)(?= REMOVE |$)/)?.[1];
    const remove = expression.match(/REMOVE (.*)$/)?.[1];
    for (const assignment of set ? set.split(',') : []) {
      const [name, value] = assignment.split('=').map(s => s.trim());
      item[attributeName(name, input)] = input.ExpressionAttributeValues![value];
    }
    for (const name of remove ? remove.split(',') : []) delete item[attributeName(name.trim(), input)];
    this.table.set(key, item);
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: item } : {};
  }
}

type Expressed = Pick<UpdateItemCommandInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

function attributeName(name: string, input: Expressed): string {
  return name.startsWith('#') ? input.ExpressionAttributeNames![name] : name;
}

/** Evaluates the condition forms the handlers use: `A OR B`, `A AND B`, `x = :v`, `attribute_not_exists(x)`. */
function holds(condition: string, item: Record<string, AttributeValue> | undefined, input: Expressed): boolean {
  return condition.split(' OR ').some(any => any.split(' AND ').every(term => {
    const notExists = term.trim().match(/^attribute_not_exists\((.+)\)$/);
    if (notExists) return item?.[attributeName(notExists[1], input)] === undefined;
    const equals = term.trim().match(/^(\S+) = (:\S+)$/);
    if (!equals) throw new HarnessError(`approval simulator: condition '${term}' is not supported`);
    const actual = item?.[attributeName(equals[1], input)];
    return actual !== undefined && JSON.stringify(actual) === JSON.stringify(input.ExpressionAttributeValues![equals[2]]);
  }));
}

async function withEnv<T>(env: Record<string, string>, run: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
