/**
 * A workflow graph as a Mermaid flowchart (`.mmd`), which GitHub renders inside Markdown.
 */
import { GraphGroup, GraphNode, TakenPath, WorkflowGraph } from './graph';

/** Escapes text for a quoted Mermaid label: quotes, angle brackets, `#` and `&` become entity codes. */
export function escapeMermaid(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/&/g, '#38;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\r?\n/g, ' ');
}

function nodeText(node: GraphNode): string {
  const lines = [escapeMermaid(node.label)];
  if (node.type) lines.push(`<i>${escapeMermaid(node.detail ? `${node.type} · ${node.detail}` : node.type)}</i>`);
  return lines.join('<br/>');
}

function nodeLine(node: GraphNode): string {
  const text = nodeText(node);
  switch (node.kind) {
    case 'start':
    case 'end':
      return `${node.id}(("${text}"))`;
    case 'join':
      return `${node.id}[/"${escapeMermaid(`${node.state} done`)}"\\]`;
    default:
      if (node.type === 'Choice') return `${node.id}{"${text}"}`;
      if (node.terminal) return `${node.id}(["${text}"])`;
      return `${node.id}["${text}"]`;
  }
}

/** The class (fill and stroke) of a node. */
function classOf(node: GraphNode): string {
  if (node.kind !== 'state') return 'frame';
  if (node.type === 'Succeed') return 'succeed';
  if (node.type === 'Fail') return 'fail';
  if (node.type === 'Choice') return 'choice';
  if (node.type === 'Task') return 'task';
  return 'flow';
}

export interface MermaidOptions {
  /** Highlight what an execution went through. */
  readonly taken?: TakenPath;
}

/** The graph as a `flowchart TD`, Parallel branches and Map processors as nested subgraphs. */
export function toMermaid(graph: WorkflowGraph, options: MermaidOptions = {}): string {
  const out = ['flowchart TD'];
  const children = (parent: string | undefined) => graph.groups.filter(g => g.parent === parent);
  const nodesIn = (group: string | undefined) => graph.nodes.filter(n => n.group === group);
  const emit = (group: GraphGroup | undefined, indent: string) => {
    for (const node of nodesIn(group?.id)) out.push(`${indent}${nodeLine(node)}`);
    for (const child of children(group?.id)) {
      out.push(`${indent}subgraph ${child.id}["${escapeMermaid(child.label)}"]`);
      emit(child, `${indent}  `);
      out.push(`${indent}end`);
    }
  };
  emit(undefined, '  ');

  graph.edges.forEach(e => {
    const arrow = e.kind === 'catch' ? '-.->' : '-->';
    out.push(`  ${e.from} ${arrow}${e.label ? `|"${escapeMermaid(e.label)}"|` : ''} ${e.to}`);
  });

  out.push(
    '  classDef task fill:#eef4fb,stroke:#3b6ea5,color:#1b2a3a',
    '  classDef flow fill:#f4f4f4,stroke:#777,color:#222',
    '  classDef choice fill:#fff7e0,stroke:#b58900,color:#3a2e00',
    '  classDef succeed fill:#e3f4e6,stroke:#2e7d32,color:#123d16,stroke-width:2px',
    '  classDef fail fill:#fdeaea,stroke:#c62828,color:#4a0e0e,stroke-width:2px',
    '  classDef frame fill:#fff,stroke:#555,color:#222',
  );
  const byClass = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const cls = classOf(node);
    byClass.set(cls, [...(byClass.get(cls) ?? []), node.id]);
  }
  for (const [cls, ids] of byClass) out.push(`  class ${ids.join(',')} ${cls}`);

  if (options.taken) {
    out.push('  classDef taken stroke:#e8590c,stroke-width:3px');
    const ids = graph.nodes.filter(n => options.taken!.nodes.has(n.id)).map(n => n.id);
    if (ids.length > 0) out.push(`  class ${ids.join(',')} taken`);
    const edges = [...options.taken.edges].sort((a, b) => a - b);
    if (edges.length > 0) out.push(`  linkStyle ${edges.join(',')} stroke:#e8590c,stroke-width:3px`);
  }
  return out.join('\n') + '\n';
}
