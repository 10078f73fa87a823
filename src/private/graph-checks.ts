/**
 * The synth-time checks of a workflow's whole graph (nested states included): what its type and
 * query language cannot run (errors), and Lambda tasks without the transient retry (warnings).
 */
import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { expressIssue, GraphState, referencedType } from './graph';
import { isJsonataState, jsonPathReason, stateOwnerOf } from './query-language';
import { MAX_STATE_NAME_LENGTH } from './state-names';
import { LambdaRetry } from '../workflow/lambda-retry';
import { WorkflowType } from '../workflow/workflow-type';

/** The longest wait an Express workflow can hold, in seconds. */
const EXPRESS_MAX_SECONDS = WorkflowType.EXPRESS_MAX_DURATION_SECONDS;

/** What the checks report: errors refuse the synth, warnings are shown once. */
export interface GraphFindings {
  readonly errors: string[];
  /** Warnings by id (`cdk-workflow-patterns:<id>`). */
  readonly warnings: Array<{ readonly id: string; readonly message: string }>;
}

/** Where a state stands, for messages: `state 'X' (in the workflow)`. */
export function stateAt(state: GraphState): string {
  return `state '${state.name}' (in ${state.where})`;
}

/** Checks the states of a workflow of the given type. */
export function checkGraph(stack: Stack, states: GraphState[], type: WorkflowType): GraphFindings {
  const errors: string[] = [];
  const warnings: Array<{ id: string; message: string }> = [];
  const fix = 'use WorkflowType.standard()';
  for (const state of states) {
    const at = stateAt(state);
    const json = state.json;
    if (state.name.length > MAX_STATE_NAME_LENGTH) {
      errors.push(`${at} has a name of ${state.name.length} characters, over the ${MAX_STATE_NAME_LENGTH} Step Functions allows; give it a shorter name (or its construct a shorter id)`);
    }
    const issue = type.isExpress ? expressIssue(stack, state) : undefined;
    if (issue) {
      errors.push(`${at} ${issue.what}, which an ${type} workflow cannot ${issue.verb}; ${fix}${issue.alternative ? `, or ${issue.alternative}` : ''}`);
    }
    if (type.isExpress && json.Type === 'Map' && (json.ItemProcessor ?? json.Iterator)?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      errors.push(`${at} is a Distributed Map (a FanOutMap over S3 or in DISTRIBUTED mode), which Step Functions runs in Standard workflows only; `
        + `${fix} (its child executions stay Express, and the parent pays one state transition per child execution), or use an inline Map (FanOutMode.INLINE) for a JSON array in the input`);
    }
    if (type.isExpress && json.Type === 'Wait') {
      if (typeof json.Seconds === 'number' && json.Seconds > EXPRESS_MAX_SECONDS) {
        errors.push(`${at} waits ${json.Seconds} seconds, longer than the 5 minutes an ${type} workflow may run; wait at most ${EXPRESS_MAX_SECONDS} seconds or ${fix}`);
      } else if (typeof json.Seconds !== 'number') {
        warnings.push({
          id: 'expressDynamicWait',
          message: `${at} waits for a time read from the input, which cannot be checked at synth; an ${type} workflow fails if it waits past 5 minutes`,
        });
      }
    }
    if (state.resource !== undefined && isLambdaTask(state.resource) && !coversTransientErrors(json.Retry ?? [])) {
      warnings.push({
        id: 'lambdaWithoutRetry',
        message: `Lambda ${at} does not retry the transient errors ${LambdaRetry.TRANSIENT_ERRORS.join(', ')}; use ResilientLambdaInvoke or LambdaRetry.addTo(task)`,
      });
    }
  }
  return { errors, warnings };
}

/**
 * The states a JSONata workflow cannot hold (JSONPath states: Step Functions refuses them under a
 * JSONata top level), each with why and what to do.
 */
export function jsonataConflicts(states: GraphState[]): string[] {
  const out: string[] = [];
  // The states one of the library's constructs created: one message for the construct, not one a state.
  const byOwner = new Map<IConstruct, { kind: string; names: string[] }>();
  for (const state of states) {
    const reason = jsonPathReason(state.json, state.declaredLanguage);
    if (reason === undefined) continue;
    const owner = state.construct ? stateOwnerOf(state.construct) : undefined;
    if (owner) {
      const entry = byOwner.get(owner.construct) ?? { kind: owner.kind, names: [] };
      entry.names.push(state.name);
      byOwner.set(owner.construct, entry);
      continue;
    }
    out.push(`${stateAt(state)} is JSONPath (it ${reason}), and in a JSONata workflow every state must be JSONata; `
      + 'create it in its JSONata form (CDK states: .jsonata() or queryLanguage: sfn.QueryLanguage.JSONATA; this library\'s constructs: queryLanguage: sfn.QueryLanguage.JSONATA), '
      + 'or give the Workflow queryLanguage: sfn.QueryLanguage.JSON_PATH');
  }
  for (const [construct, { kind, names }] of byOwner) {
    out.unshift(`${kind} '${construct.node.id}' is JSONPath (its states ${names.map(n => `'${n}'`).join(', ')}), and in a JSONata workflow every state must be JSONata; `
      + `give the ${kind} queryLanguage: sfn.QueryLanguage.JSONATA, or give the Workflow queryLanguage: sfn.QueryLanguage.JSON_PATH`);
  }
  return out;
}

/**
 * The query language a definition asks for when none is given: JSONata when at least one state is
 * JSONata and none is JSONPath; otherwise JSONPath, under which both kinds run.
 */
export function inferredQueryLanguage(states: GraphState[]): sfn.QueryLanguage {
  const anyJsonata = states.some(s => isJsonataState(s.json));
  const anyJsonPath = states.some(s => jsonPathReason(s.json, s.declaredLanguage) !== undefined);
  return anyJsonata && !anyJsonPath ? sfn.QueryLanguage.JSONATA : sfn.QueryLanguage.JSON_PATH;
}

/**
 * The function a Lambda task invokes, as resolved in the ASL: `FunctionName` of a `lambda:invoke`
 * task (`Parameters` in JSONPath, `Arguments` in JSONata), or the function as the Resource.
 */
export function lambdaFunctionOf(stack: Stack, state: GraphState): unknown {
  if (state.json.Type !== 'Task') return undefined;
  if (/:states:::lambda:invoke(\.waitForTaskToken)?$/.test(state.resource ?? '')) {
    return (state.json.Parameters ?? state.json.Arguments)?.FunctionName;
  }
  if (/:lambda:[^:]*:[^:]*:function:/.test(state.resource ?? '') || referencedType(stack, state.json.Resource) === 'AWS::Lambda::Function') {
    return state.json.Resource;
  }
  return undefined;
}

function isLambdaTask(resource: string): boolean {
  return /:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource) || /:lambda:[^:]*:[^:]*:function:/.test(resource);
}

/** Whether retriers retry every transient Lambda error: each named, or `States.ALL`, or `States.TaskFailed` (which every Lambda error is). */
function coversTransientErrors(retriers: Array<{ ErrorEquals: string[] }>): boolean {
  const covered = new Set(retriers.flatMap(r => r.ErrorEquals));
  if (covered.has('States.ALL') || covered.has('States.TaskFailed')) return true;
  return LambdaRetry.TRANSIENT_ERRORS.every(e => covered.has(e));
}
