import { CfnResource, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** A state of a workflow's graph, nested ones included, as resolved JSON. */
export interface GraphState {
  readonly name: string;
  /** The resolved ASL of the state. */
  readonly json: any;
  /** Where the state stands, for messages: `the workflow`, `branch 2 of Parallel 'X'`... */
  readonly where: string;
  /** The Resource of a Task, as a string with `*` where CloudFormation fills a value in. */
  readonly resource?: string;
  /** The query language the state was created in, when it declares one (known for states outside Parallel branches and Map processors). */
  readonly declaredLanguage?: sfn.QueryLanguage;
  /** The state's construct (known for states outside Parallel branches and Map processors). */
  readonly construct?: sfn.State;
}

/**
 * Every state reachable from a definition (error handlers, Parallel branches and Map processors
 * included), rendered as under a JSONPath top level: JSONata states declare themselves.
 */
export function graphStates(scope: Stack, definition: sfn.IChainable): GraphState[] {
  const top = sfn.State.findReachableStates(definition.startState, { includeErrorHandlers: true });
  const states: Record<string, any> = {};
  const declared: Record<string, sfn.QueryLanguage | undefined> = {};
  const constructs: Record<string, sfn.State> = {};
  for (const state of top) {
    constructs[state.stateId] = state;
    states[state.stateId] = scope.resolve(state.toStateJson(sfn.QueryLanguage.JSON_PATH));
    // CDK keeps the language a state was created in as a protected field.
    declared[state.stateId] = (state as unknown as { queryLanguage?: sfn.QueryLanguage }).queryLanguage;
  }
  return walk(states, 'the workflow').map(s => (s.where === 'the workflow'
    ? { ...s, construct: constructs[s.name], ...(declared[s.name] ? { declaredLanguage: declared[s.name] } : {}) } : s));
}

function walk(states: Record<string, any>, where: string): GraphState[] {
  const out: GraphState[] = [];
  for (const [name, json] of Object.entries(states)) {
    out.push({ name, json, where, resource: json.Type === 'Task' ? flatten(json.Resource) : undefined });
    (json.Branches ?? []).forEach((branch: any, i: number) => out.push(...walk(branch.States ?? {}, `branch ${i + 1} of Parallel '${name}'`)));
    const processor = json.ItemProcessor ?? json.Iterator;
    if (processor) out.push(...walk(processor.States ?? {}, `the item processor of Map '${name}'`));
  }
  return out;
}

/** A resolved value as a string, with `*` for what CloudFormation fills in. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const join = (value as any)['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map(flatten).join(join[0]);
  }
  return '*';
}

/** The CloudFormation type of the resource a resolved `{ Ref }` or `{ Fn::GetAtt }` points at. */
export function referencedType(scope: Stack, value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as any).Ref ?? (value as any)['Fn::GetAtt']?.[0];
  if (typeof ref !== 'string') return undefined;
  const resource = scope.node.findAll().find(c => CfnResource.isCfnResource(c) && scope.resolve(c.logicalId) === ref);
  return resource ? (resource as CfnResource).cfnResourceType : undefined;
}

/** What keeps a state out of an Express workflow: the problem, the verb of `cannot ...`, and a way out. */
export interface ExpressIssue {
  readonly what: string;
  readonly verb: string;
  readonly alternative?: string;
}

/** Why a state cannot run in an Express workflow (a callback, a `.sync` job, an Activity); `undefined` when it can. */
export function expressIssue(scope: Stack, state: GraphState): ExpressIssue | undefined {
  const resource = state.resource;
  if (resource === undefined) return undefined;
  if (resource.endsWith('.waitForTaskToken')) {
    return { what: 'waits for a task token (.waitForTaskToken)', verb: 'do', alternative: 'call the service without waiting' };
  }
  if (/:ecs:runTask\.sync$/.test(resource)) {
    // A ContainerTask always waits for its container: starting it without waiting is a plain tasks.EcsRunTask.
    return { what: 'runs a container to its end (.sync)', verb: 'do', alternative: 'start the task without waiting for it (tasks.EcsRunTask with REQUEST_RESPONSE)' };
  }
  if (/\.sync(:\d+)?$/.test(resource)) {
    return { what: 'runs a job to completion (.sync)', verb: 'do', alternative: 'start the job without waiting (REQUEST_RESPONSE)' };
  }
  if (resource.includes(':activity:') || referencedType(scope, state.json.Resource) === 'AWS::StepFunctions::Activity') {
    return { what: 'is an Activity task', verb: 'run' };
  }
  return undefined;
}
