/**
 * An ApprovalGate decided in a local run the way a person decides it: the gate's own request
 * function stores the request and sends the approvers' messages (offline DynamoDB, SNS and Secrets
 * Manager); the approver opens the link in their message, sees the confirmation page and confirms;
 * the gate's own decision function records the decision and sends it to the waiting task. Or nobody
 * decides, and the gate's timeout sends the execution down its expired route.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TaskOutcome } from '../engine';
import { Asl, CfnTemplate } from './asl';
import { functionEnvironment } from './assembly';
import { allStates, CallbackHandler, HarnessError, TaskCall, TaskHandler } from './local-execution';
import { OfflineAws, PublishedMessage } from './offline-aws';
import { resourceOfType } from './resources';

/** An ApprovalGate, or anything with its request task (the gate's Task state). */
export interface GateLike extends IConstruct {
  readonly requestTask: { readonly stateId: string };
  /** The gate's request function: tells this gate from another one whose Task state has the same name. */
  readonly requestFunction?: IConstruct;
}

/** Who decides, and what they write. */
export interface ApproverOptions {
  /**
   * The approver: the address the gate sent the message to. Required when the gate has several
   * approvers. @default the only message the gate sent
   */
  readonly by?: string;
  /** The comment the approver writes on the confirmation page. @default none */
  readonly comment?: string;
}

/** A decision on an ApprovalGate, for a local run's `approvals`. */
export interface ApprovalDecision {
  /** The gate, or the name of its Task state. */
  readonly gate: GateLike | string;
  readonly action: 'approve' | 'reject' | 'expire';
  readonly by?: string;
  readonly comment?: string;
}

/** The approver opens the link in the gate's message and approves. */
export function approve(gate: GateLike | string, options: ApproverOptions = {}): ApprovalDecision {
  return { gate, action: 'approve', ...options };
}

/** The approver opens the link in the gate's message and rejects. */
export function reject(gate: GateLike | string, options: ApproverOptions = {}): ApprovalDecision {
  return { gate, action: 'reject', ...options };
}

/** Nobody decides: the gate's timeout passes (in virtual time) and its expired route runs. */
export function expire(gate: GateLike | string): ApprovalDecision {
  return { gate, action: 'expire' };
}

/** The Task state of a gate. */
export function gateStateOf(gate: GateLike | string): string {
  if (typeof gate === 'string') return gate;
  const id = gate?.requestTask?.stateId;
  if (typeof id !== 'string') throw new HarnessError(`approvals: ${String((gate as IConstruct)?.node?.path ?? gate)} is not an ApprovalGate (give the gate, or the name of its Task state)`);
  return id;
}

/** What a local run needs for its approvals. */
export interface ApprovalWiring {
  readonly states: Record<string, TaskHandler>;
  readonly callbacks: Record<string, CallbackHandler>;
}

interface GateFunctionPair {
  readonly request: TaskHandler;
  readonly decision: TaskHandler;
  readonly refs: GateFunctionRefs;
}

/** How a decision was written, for messages: `approve(Trading/Gate)`, `expire('Approve trade')`. */
export function decisionShownAs(decision: ApprovalDecision): string {
  const gate = typeof decision.gate === 'string' ? `'${decision.gate}'` : decision.gate?.node?.path ?? String(decision.gate);
  return `${decision.action}(${gate})`;
}

/**
 * A gate given as a construct must be the gate whose Task state the run found by name: another
 * workflow's gate with the same state name would otherwise decide this one's.
 */
function checkSameGate(decision: ApprovalDecision, state: string, refs: GateFunctionRefs, machineStack: string | undefined): void {
  if (typeof decision.gate === 'string' || !decision.gate.requestFunction) return;
  if (refs.gateId !== undefined) {
    // A shared service's gates share its request function: the task names its gate.
    if (refs.gateId !== decision.gate.node?.addr) {
      throw new HarnessError(`approvals: ${decisionShownAs(decision)} is not the gate of this state machine's state '${state}' `
        + '(both use one ApprovalService, and that state\'s task names another of its gates); give the gate of the workflow you run');
    }
    return;
  }
  const { resource, logicalId } = resourceOfType(decision.gate.requestFunction, 'AWS::Lambda::Function',
    () => `approvals: ${decisionShownAs(decision)}: the gate's request function is not a Lambda function defined in a stack`);
  const stack = Stack.of(resource);
  if (logicalId !== refs.requestId || (machineStack !== undefined && stack.artifactId !== machineStack)) {
    throw new HarnessError(`approvals: ${decisionShownAs(decision)} is not the gate of this state machine's state '${state}' `
      + `(that state's gate has the request function ${refs.requestId}${machineStack !== undefined ? ` in stack ${machineStack}` : ''}; `
      + `this gate's is ${logicalId} in stack ${stack.artifactId}); give the gate of the workflow you run`);
  }
}

/**
 * The handlers that decide each gate: its request function runs (explicitly, although the task has a
 * decision), and the task's callback plays the approver against its decision function.
 */
export function approvalWiring(
  decisions: readonly ApprovalDecision[], asl: Asl, templates: CfnTemplate[], functions: Record<string, TaskHandler>, offline: OfflineAws,
  machineStack?: string,
): ApprovalWiring {
  const states: Record<string, TaskHandler> = {};
  const callbacks: Record<string, CallbackHandler> = {};
  for (const decision of decisions) {
    if (!decision || !['approve', 'reject', 'expire'].includes(decision.action)) {
      throw new HarnessError(`approvals: each decision is made with approve(...), reject(...) or expire(...) (got ${JSON.stringify(decision)})`);
    }
    const state = gateStateOf(decision.gate);
    if (callbacks[state]) throw new HarnessError(`approvals: two decisions for gate '${state}'; give one per gate`);
    const pair = gateFunctions(state, asl, templates, functions);
    checkSameGate(decision, state, pair.refs, machineStack);
    const sent = new Map<string, PublishedMessage[]>();
    states[state] = async (payload, call) => {
      const before = offline.messages.length;
      const result = await pair.request(payload, call);
      sent.set(call.taskToken ?? '', offline.messages.slice(before));
      return result;
    };
    callbacks[state] = decision.action === 'expire'
      ? () => TaskOutcome.never()
      : (_request, call) => decide(state, decision, call, sent.get(call.taskToken ?? '') ?? [], pair, offline);
  }
  return { states, callbacks };
}

/** A gate's request and decision functions, as a template names them. */
export interface GateFunctionRefs {
  /** The request function's ARN as the gate's task names it. */
  readonly requestArn: string;
  /** The logical ids of the two functions. */
  readonly requestId: string;
  readonly decisionId: string;
  /** The environment each function's template gives it. */
  readonly requestEnv: Record<string, string>;
  readonly decisionEnv: Record<string, string>;
  /** The gate the task names, when its function is a shared ApprovalService's. */
  readonly gateId?: string;
}

/**
 * The functions of the gate whose Task state is `task` (its ASL): the request function it invokes
 * (it has the decision URL), and the decision function that shares its table and signing key (the
 * delivery sweep shares the table only). Undefined when `task` is not a gate's task.
 */
export function gateFunctionRefs(task: any, templates: CfnTemplate[]): GateFunctionRefs | undefined {
  if (!String(task?.Resource ?? '').endsWith('.waitForTaskToken')) return undefined;
  const requestArn = String((task.Parameters ?? task.Arguments)?.FunctionName ?? '');
  const resources = templates.flatMap(t => Object.entries<any>(t.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => ({ id, env: functionEnvironment(r, t) })));
  const request = resources.find(r => requestArn.endsWith(`:function:${r.id}`) && r.env.DECISION_URL !== undefined);
  const decision = request && resources.find(r => r.env.TABLE_NAME === request.env.TABLE_NAME
    && r.env.DECISION_URL === undefined && r.env.SIGNING_KEY_SECRET_ARN !== undefined);
  if (!request || !decision) return undefined;
  const gateId = (task.Parameters ?? task.Arguments)?.Payload?.gate?.id;
  return {
    requestArn,
    requestId: request.id,
    decisionId: decision.id,
    requestEnv: request.env,
    decisionEnv: decision.env,
    ...(typeof gateId === 'string' ? { gateId } : {}),
  };
}

/** The request and decision functions of the gate whose Task state is `state`. */
function gateFunctions(state: string, asl: Asl, templates: CfnTemplate[], functions: Record<string, TaskHandler>): GateFunctionPair {
  const task = allStates(asl).find(s => s.name === state);
  if (!task) {
    const tasks = allStates(asl).filter(s => String(s.state.Resource ?? '').endsWith('.waitForTaskToken')).map(s => s.name);
    throw new HarnessError(`approvals: no state '${state}' in the state machine (callback tasks: ${tasks.join(', ') || 'none'})`);
  }
  const refs = gateFunctionRefs(task.state, templates);
  const decisionArn = refs && Object.keys(functions).find(arn => arn.endsWith(`:function:${refs.decisionId}`));
  if (!refs || !functions[refs.requestArn] || !decisionArn) {
    throw new HarnessError(`approvals: state '${state}' is not the Task state of an ApprovalGate (give the gate itself, or the name of its Task state)`);
  }
  return { request: functions[refs.requestArn], decision: functions[decisionArn], refs };
}

interface Page { readonly statusCode: number; readonly body: string }

async function decide(
  state: string, decision: ApprovalDecision, call: TaskCall, messages: PublishedMessage[], pair: GateFunctionPair, offline: OfflineAws,
): Promise<unknown> {
  const who = decision.by === undefined ? 'the approver' : `'${decision.by}'`;
  const message = decision.by === undefined
    ? (messages.length === 1 ? messages[0] : undefined)
    : messages.find(m => (m.recipient ?? '') === decision.by);
  if (!message) {
    const recipients = messages.map(m => m.recipient ?? '(the whole topic)');
    throw new HarnessError(decision.by === undefined && messages.length > 1
      ? `${decision.action}('${state}'): the gate sent ${messages.length} messages (to ${recipients.join(', ')}); say who decides with { by: '...' }`
      : `${decision.action}('${state}'): the gate sent no message to ${who} (it sent ${messages.length}${recipients.length ? `, to ${recipients.join(', ')}` : ''})`);
  }
  const label = decision.action === 'approve' ? 'Approve' : 'Reject';
  const link = message.message.match(new RegExp(`${label}:\\s+(https://\\S+)`))?.[1];
  if (!link) throw new HarnessError(`${decision.action}('${state}'): the message to ${who} has no ${label} link`);
  const query = Object.fromEntries(new URL(link).searchParams.entries());
  const form = new URLSearchParams({ decision: decision.action, ...(decision.comment ? { comment: decision.comment } : {}) }).toString();
  const page = await open(pair, 'GET', query);
  if (page.statusCode !== 200) throw new HarnessError(`${decision.action}('${state}'): the confirmation page answered ${page.statusCode}: ${titleOf(page)}`);
  const posted = await open(pair, 'POST', query, form);
  const output = offline.taskOutputs.get(call.taskToken ?? '');
  if (output === undefined) throw new HarnessError(`${decision.action}('${state}'): the decision was not sent (the endpoint answered ${posted.statusCode}: ${titleOf(posted)})`);
  return JSON.parse(output);
}

const titleOf = (page: Page) => page.body.match(/<title>(.*?)<\/title>/)?.[1] ?? page.body.slice(0, 80);

/** The API Gateway (REST, proxy) event of a browser's request on a gate's link. */
export function decisionPageEvent(method: string, query: Record<string, string>, body?: string): Record<string, unknown> {
  return {
    httpMethod: method,
    path: '/decision',
    resource: '/decision',
    queryStringParameters: query,
    body: body ?? null,
    isBase64Encoded: false,
    headers: body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    requestContext: { identity: {} },
  };
}

/** The decision function's answer to a browser's request on the gate's link. */
async function open(pair: GateFunctionPair, method: string, query: Record<string, string>, body?: string): Promise<Page> {
  const event = decisionPageEvent(method, query, body);
  return await pair.decision(event, { state: '(decision endpoint)', resource: '', input: event, attempt: 1 }) as Page;
}
