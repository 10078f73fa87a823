/**
 * A state machine's definition (ASL) as a graph to draw: one node per state, an edge per transition
 * (Next, Default, each Choice rule with its condition, each Catch with its errors), and nested groups
 * for Parallel branches and Map item processors.
 *
 * A Parallel or Map state is drawn as a group holding the state itself (where it starts) and a join
 * node (where it ends, once every branch or item is done); its branches hang between the two, and
 * its own Next and Catch edges leave from the join.
 */
import type { Asl } from './asl';

/** `start` and `end` frame the whole workflow; `join` closes a Parallel or Map state. */
export type NodeKind = 'start' | 'end' | 'state' | 'join';

export interface GraphNode {
  /** Unique and safe for Mermaid and SVG ids (`start`, `end`, `s1`, `s1_join`...). */
  readonly id: string;
  readonly kind: NodeKind;
  /** What is written in it: the state name, `Start`, `End`. */
  readonly label: string;
  /** The state's name (for a join, the name of the Parallel or Map it closes). */
  readonly state?: string;
  /** The ASL `Type` of the state (`Task`, `Choice`...). */
  readonly type?: string;
  /** A short description under the name: the Task resource without its ARN prefix, the Wait time... */
  readonly detail?: string;
  /** Succeed and Fail states, and the End node: where an execution (or a branch) stops. */
  readonly terminal: boolean;
  /** The id of the innermost group holding it. */
  readonly group?: string;
}

/**
 * `next` (Next), `default` (a Choice's Default), `choice` (a Choice rule), `catch` (a Catch),
 * `start` (into the StartAt state, of the workflow, a branch or an item processor), `end`
 * (out of an `End: true` or Succeed state, to End or to the join of the Parallel or Map around it).
 */
export type EdgeKind = 'start' | 'next' | 'default' | 'choice' | 'catch' | 'end';

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** The Choice rule's condition, `Default`, or the errors a Catch handles. */
  readonly label?: string;
  /** A Choice rule's edge: the rule's index in `Choices`. */
  readonly rule?: number;
}

/** `parallel` and `map` hold a whole Parallel or Map state; `branch` holds one Parallel branch. */
export type GroupKind = 'parallel' | 'branch' | 'map';

export interface GraphGroup {
  readonly id: string;
  readonly kind: GroupKind;
  readonly label: string;
  /** The Parallel or Map state the group belongs to. */
  readonly state: string;
  /** The id of the group holding this one. */
  readonly parent?: string;
}

export interface WorkflowGraph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly groups: GraphGroup[];
}

/** A definition that cannot be drawn (a Next to a state that does not exist...). */
export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphError';
  }
}

const SERVICE_PREFIX = /^arn:[^:]+:states:[^:]*:[^:]*:/;

/** The line under a state's name. */
function detailOf(state: any): string | undefined {
  switch (state.Type) {
    case 'Task': {
      const resource = typeof state.Resource === 'string' ? state.Resource : '';
      const invoked = /:function:([^:]+)/.exec(String(state.Parameters?.FunctionName ?? state.Arguments?.FunctionName ?? ''));
      if (/^arn:[^:]+:states:::lambda:invoke$/.test(resource) && invoked) return `lambda ${invoked[1]}`;
      if (SERVICE_PREFIX.test(resource)) return resource.replace(SERVICE_PREFIX, '');
      const fn = /:function:([^:]+)/.exec(resource);
      return fn ? `lambda ${fn[1]}` : resource.split(':').slice(2, 3).join('') || undefined;
    }
    case 'Wait':
      if (state.Seconds !== undefined) return `${state.Seconds} s`;
      return state.SecondsPath ?? state.Timestamp ?? state.TimestampPath;
    case 'Fail':
      return state.Error ?? state.ErrorPath;
    case 'Map':
      return state.ItemsPath ?? state.Items ?? (state.ItemReader ? 'items from ItemReader' : undefined);
    default:
      return undefined;
  }
}

/** Converts a definition into its graph. */
export function graphOf(asl: Asl): WorkflowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const groups: GraphGroup[] = [];
  let counter = 0;

  nodes.push({ id: 'n_start', kind: 'start', label: 'Start', terminal: false });
  nodes.push({ id: 'n_end', kind: 'end', label: 'End', terminal: true });

  /**
   * Adds the states of one scope (the workflow, a branch, an item processor) and returns the id of
   * its first state. `exit` is where `End: true` leads.
   */
  function addScope(definition: Asl, where: string, group: string | undefined, exit: string): string {
    const states: Record<string, any> = definition.States ?? {};
    const ids: Record<string, string> = {};
    const exits: Record<string, string> = {};
    for (const [name, state] of Object.entries(states)) {
      const id = `s${++counter}`;
      ids[name] = id;
      exits[name] = id;
      const type = String(state.Type);
      if (type === 'Parallel' || type === 'Map') {
        const groupId = `${id}_group`;
        groups.push({ id: groupId, kind: type === 'Parallel' ? 'parallel' : 'map', label: `${name} (${type})`, state: name, parent: group });
        nodes.push(stateNode(id, name, state, groupId));
        const join = `${id}_join`;
        nodes.push({ id: join, kind: 'join', label: '', state: name, type, terminal: false, group: groupId });
        exits[name] = join;
        if (type === 'Parallel') {
          (state.Branches ?? []).forEach((branch: Asl, i: number) => {
            const branchGroup = `${id}_branch${i + 1}`;
            groups.push({ id: branchGroup, kind: 'branch', label: `Branch ${i + 1}`, state: name, parent: groupId });
            const first = addScope(branch, `branch ${i + 1} of Parallel '${name}'`, branchGroup, join);
            edges.push({ from: id, to: first, kind: 'start' });
          });
        } else {
          const processor = state.ItemProcessor ?? state.Iterator;
          if (processor) {
            const first = addScope(processor, `the item processor of Map '${name}'`, groupId, join);
            edges.push({ from: id, to: first, kind: 'start' });
          } else {
            edges.push({ from: id, to: join, kind: 'next' });
          }
        }
      } else {
        nodes.push(stateNode(id, name, state, group));
      }
    }

    const target = (name: unknown, from: string): string => {
      const id = ids[String(name)];
      if (!id) throw new GraphError(`state '${from}' in ${where} goes to '${String(name)}', which is not a state there (states: ${Object.keys(states).join(', ')})`);
      return id;
    };
    for (const [name, state] of Object.entries(states)) {
      const from = exits[name];
      if (state.Type === 'Choice') {
        (state.Choices ?? []).forEach((rule: any, i: number) => {
          edges.push({ from, to: target(rule.Next, name), kind: 'choice', label: conditionOf(rule), rule: i });
        });
        if (state.Default !== undefined) edges.push({ from, to: target(state.Default, name), kind: 'default', label: 'Default' });
      }
      if (state.Next !== undefined) edges.push({ from, to: target(state.Next, name), kind: 'next' });
      if (state.End === true || state.Type === 'Succeed') edges.push({ from, to: exit, kind: 'end' });
      for (const c of state.Catch ?? []) {
        edges.push({ from, to: target(c.Next, name), kind: 'catch', label: `catch ${(c.ErrorEquals ?? []).join(', ')}` });
      }
    }
    if (!(definition.StartAt in ids)) {
      throw new GraphError(`StartAt '${String(definition.StartAt)}' of ${where} is not a state there (states: ${Object.keys(states).join(', ')})`);
    }
    return ids[definition.StartAt];
  }

  const first = addScope(asl, 'the state machine', undefined, 'n_end');
  edges.unshift({ from: 'n_start', to: first, kind: 'start' });
  // Every path may end in a Fail state: then nothing reaches End.
  const reached = edges.some(e => e.to === 'n_end');
  return { nodes: reached ? nodes : nodes.filter(n => n.id !== 'n_end'), edges, groups };
}

function stateNode(id: string, name: string, state: any, group: string | undefined): GraphNode {
  const type = String(state.Type);
  return {
    id,
    kind: 'state',
    label: name,
    state: name,
    type,
    detail: detailOf(state),
    terminal: type === 'Succeed' || type === 'Fail',
    group,
  };
}

const COMPARATORS: Record<string, string> = {
  Equals: '==',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '<=',
  GreaterThanEquals: '>=',
};
const TYPE_TESTS: Record<string, string> = {
  IsPresent: 'present',
  IsNull: 'null',
  IsString: 'a string',
  IsNumeric: 'a number',
  IsBoolean: 'a boolean',
  IsTimestamp: 'a timestamp',
};

/** A Choice rule as text: `$.total > 100`, `$.a == "x" and not ($.b is present)`. */
export function conditionOf(rule: any): string {
  if (typeof rule.Condition === 'string') return rule.Condition;
  const nested = (r: any) => (r.And || r.Or ? `(${conditionOf(r)})` : conditionOf(r));
  if (Array.isArray(rule.And)) return rule.And.map(nested).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map(nested).join(' or ');
  if (rule.Not) return `not (${conditionOf(rule.Not)})`;
  const variable = String(rule.Variable ?? '?');
  for (const [test, what] of Object.entries(TYPE_TESTS)) {
    if (test in rule) return `${variable} is ${rule[test] ? '' : 'not '}${what}`;
  }
  for (const [key, value] of Object.entries(rule)) {
    const m = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/.exec(key);
    if (!m) continue;
    const operand = m[3] ? String(value) : JSON.stringify(value);
    return `${variable} ${m[2] === 'Matches' ? 'matches' : COMPARATORS[m[2]]} ${operand}`;
  }
  return JSON.stringify(rule);
}

/** What an execution did, as far as drawing its path needs. */
export interface Trace {
  /** Names of the states entered. */
  readonly entered: Iterable<string>;
  /** Names of the states left normally (not by an error). */
  readonly exited: Iterable<string>;
  /** The Catch transitions taken. */
  readonly catches: ReadonlyArray<{ readonly state: string; readonly next: string }>;
  /**
   * The Choice transitions taken: the Choice state and the index of the rule that matched (undefined:
   * its Default). Without it, a Choice's edge counts as taken when both its ends were entered.
   */
  readonly choices?: ReadonlyArray<{ readonly state: string; readonly rule?: number }>;
}

/** The nodes and edges (by index in `graph.edges`) an execution went through. */
export interface TakenPath {
  readonly nodes: Set<string>;
  readonly edges: Set<number>;
}

/** Which parts of the graph an execution went through. */
export function takenPath(graph: WorkflowGraph, trace: Trace): TakenPath {
  const entered = new Set(trace.entered);
  const exited = new Set(trace.exited);
  const byId = new Map(graph.nodes.map(n => [n.id, n]));
  const nodes = new Set<string>(['n_start']);
  for (const n of graph.nodes) {
    if (n.kind === 'state' && entered.has(n.state!)) nodes.add(n.id);
    if (n.kind === 'join' && exited.has(n.state!)) nodes.add(n.id);
  }
  // A node's exit is taken when the state left normally (for a join: the Parallel or Map did).
  const left = (id: string) => {
    const n = byId.get(id)!;
    return n.kind === 'start' || ((n.kind === 'state' || n.kind === 'join') && exited.has(n.state!));
  };
  const edges = new Set<number>();
  graph.edges.forEach((e, i) => {
    const to = byId.get(e.to)!;
    const from = byId.get(e.from)!;
    let taken: boolean;
    if (e.kind === 'catch') {
      taken = trace.catches.some(c => c.state === from.state && c.next === to.state);
    } else if ((e.kind === 'choice' || e.kind === 'default') && trace.choices) {
      // The rule that matched, not merely both ends entered: a run may reach the Default's target later.
      taken = trace.choices.some(c => c.state === from.state && c.rule === e.rule);
    } else if (to.kind === 'end' || to.kind === 'join') {
      taken = left(e.from);
    } else if (e.kind === 'start' && from.kind === 'state') {
      taken = nodes.has(e.to); // into a branch or an item processor
    } else {
      taken = left(e.from) && nodes.has(e.to);
    }
    if (taken) {
      edges.add(i);
      if (to.kind === 'end') nodes.add('n_end');
    }
  });
  return { nodes, edges };
}
