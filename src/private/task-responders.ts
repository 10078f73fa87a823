/**
 * Constructs whose workflow steps wait for a task token (an ApprovalGate) register here, so that the
 * Workflow containing them can tell them which state machine they answer to. The Workflow finds them
 * in its graph (nested states included) by the function their task invokes.
 */
import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GraphState } from './graph';

/** The workflow a responder's state was found in. */
/** The longest a Standard execution may run, in seconds (one year). */
export const STANDARD_MAX_SECONDS = 365 * 24 * 3600;

export interface ResponderHost {
  /** The Workflow construct. */
  readonly owner: Construct;
  readonly stateMachine: sfn.IStateMachine;
  readonly isExpress: boolean;
  /** The workflow type as text, for messages. */
  readonly typeName: string;
  /** Whether execution data (task inputs, tokens included) is written to CloudWatch Logs. */
  readonly logsExecutionData: boolean;
  /** The longest an execution may run, in seconds; `undefined` when not known (a state machine given to the construct). */
  readonly timeoutSeconds?: number;
}

export interface TaskResponder {
  /** Whether a state of a graph (resolved in the responder's stack) is this responder's. */
  matches(state: GraphState): boolean;
  bind(host: ResponderHost): void;
}

/**
 * Responders by stack: a responder answers only workflows of its own stack (across stacks, the
 * two would reference each other; and identical constructs in two stacks resolve alike).
 */
const registry = new WeakMap<Stack, TaskResponder[]>();

export function registerTaskResponder(scope: Construct, responder: TaskResponder): void {
  const stack = Stack.of(scope);
  registry.set(stack, [...(registry.get(stack) ?? []), responder]);
}

/** Binds every responder of the owner's stack whose state is among the graph's states to the host; returns how many were bound. */
export function bindTaskResponders(owner: Construct, states: GraphState[], host: ResponderHost): number {
  const responders = registry.get(Stack.of(owner)) ?? [];
  if (responders.length === 0) return 0;
  const bound = new Set<TaskResponder>();
  for (const state of states) {
    for (const responder of responders) {
      if (!bound.has(responder) && responder.matches(state)) {
        responder.bind(host);
        bound.add(responder);
      }
    }
  }
  return bound.size;
}
