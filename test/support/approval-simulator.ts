/**
 * Runs an ApprovalGate end to end on this machine: its real request and decision handlers (from the
 * sources, or the bundles in a cloud assembly) against in-memory DynamoDB, SNS, Secrets Manager and
 * Step Functions. A scripted approver reads the published message, opens the link (GET) and confirms
 * (POST); the decision the handler sends with SendTaskSuccess becomes the callback's result.
 *
 * The fakes implement what the handlers use, and fail loudly on anything else.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetExecutionHistoryCommand, HistoryEvent, SFNClient, SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { CfnTemplate } from './asl';
import { withEnvironment } from './assembly';
import { FakeDynamoDB, Item } from './fake-dynamodb';
import { CallbackHandler, HarnessError, TaskCall, TaskFailure, TaskHandler } from './local-execution';
import { decisionPageEvent, gateFunctionRefs } from '../../src/testing/approvals';

/** What a scripted approver does with the message addressed to them. */
export interface ApprovalScript {
  /** The address whose message is used ('' for a message to the topic at large). */
  readonly by: string;
  /** `ignore`: nobody decides, and the gate's task times out (`States.Timeout`). */
  readonly action: 'approve' | 'reject' | 'ignore';
  readonly comment?: string;
  /** Submits the form a second time afterwards (409 once the decision is delivered; a delivery again if it was not confirmed). */
  readonly submitTwice?: boolean;
  /**
   * `answerLost`: the first SendTaskSuccess is applied, but its answer never reaches the function
   * (the connection is reset), as happens on a real network.
   */
  readonly deliveryFault?: 'answerLost';
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
  const refs = gateFunctionRefs(findState(asl, state), [template]);
  const decisionArn = refs && Object.keys(handlers).find(arn => arn.endsWith(`:function:${refs.decisionId}`));
  if (!refs || !handlers[refs.requestArn] || !decisionArn) {
    throw new HarnessError(`approval simulator: state '${state}' is not the task of an ApprovalGate whose request and decision functions' code is available`);
  }
  const { requestArn, requestEnv, decisionEnv } = refs;
  return { requestArn, request: handlers[requestArn], decision: handlers[decisionArn], requestEnv, decisionEnv };
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
  /** The in-memory DynamoDB the gate's table lives in. */
  public readonly ddb: FakeDynamoDB;
  /** Every message published. */
  public readonly messages: PublishCommandInput[] = [];
  /** Every page the endpoint served, in order. */
  public readonly pages: ServedPage[] = [];
  private readonly outputs = new Map<string, string>();
  /** The TaskSucceeded events of the executions, oldest first (one history for all: decisions name their request). */
  private readonly history: HistoryEvent[] = [];
  private faults: Array<'answerLost'> = [];
  private readonly stubs: AwsStub<any, any, any>[] = [];
  private readonly ownsDdb: boolean;

  /** Give the in-memory DynamoDB other handlers of the run use, so that one fake serves them all. */
  constructor(ddb?: FakeDynamoDB) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    this.ownsDdb = ddb === undefined;
    this.ddb = ddb ?? new FakeDynamoDB();
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      this.messages.push(input);
      return { MessageId: `m-${this.messages.length}` };
    });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SIGNING_KEY });
    const sfn = mockClient(SFNClient);
    sfn.on(SendTaskSuccessCommand).callsFake(input => {
      if (this.outputs.has(input.taskToken)) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: { httpStatusCode: 400 } });
      this.outputs.set(input.taskToken, input.output);
      this.history.push({
        type: 'TaskSucceeded',
        id: this.history.length + 1,
        timestamp: new Date(),
        taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: input.output },
      });
      if (this.faults.shift() === 'answerLost') throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
      return {};
    });
    sfn.on(GetExecutionHistoryCommand).callsFake(() => ({ events: [...this.history].reverse() }));
    sfn.on(SendTaskFailureCommand).rejects(new HarnessError('approval simulator: the decision function must not call SendTaskFailure'));
    sfn.on(SendTaskHeartbeatCommand).rejects(new HarnessError('approval simulator: the decision function must not call SendTaskHeartbeat'));
    this.stubs.push(sns, secrets, sfn);
  }

  /**
   * What a local run needs for one gate: its request function (run with the environment the
   * template gives it) and the callback of its task state, in which the approver decides as scripted.
   */
  public gate(state: string, functions: GateFunctions, script: ApprovalScript): GateRun {
    this.ddb.addTable(functions.requestEnv.TABLE_NAME, 'requestId');
    const request: TaskHandler = (payload, call) =>
      withEnvironment(functions.requestEnv, () => functions.request(payload, call));
    const callback: CallbackHandler = async (_request: unknown, call: TaskCall) => {
      const token = call.taskToken!;
      if (script.action === 'ignore') throw new TaskFailure('States.Timeout', 'no decision before the gate\'s timeout');
      this.faults = script.deliveryFault ? [script.deliveryFault] : [];
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
    if (this.ownsDdb) this.ddb.restore();
  }

  /** The gate's records. */
  public records(functions: GateFunctions): Item[] {
    return this.ddb.items(functions.requestEnv.TABLE_NAME);
  }

  private async open(functions: GateFunctions, method: string, query: Record<string, string>, body?: string): Promise<PageResult> {
    const event = decisionPageEvent(method, query, body) as unknown as APIGatewayProxyEvent;
    const page = await withEnvironment(functions.decisionEnv,
      () => functions.decision(event, { state: '(endpoint)', resource: '', input: event, attempt: 1 })) as PageResult;
    this.pages.push({ method, statusCode: page.statusCode, title: page.body.match(/<title>(.*?)<\/title>/)?.[1] ?? '' });
    return page;
  }
}
