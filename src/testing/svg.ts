/**
 * A workflow graph as a self-contained SVG (no external font, script or stylesheet), laid out by
 * dagre with its compound-graph support: Parallel branches and Map processors are clusters.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Dagre from '@dagrejs/dagre' with { 'resolution-mode': 'require' };
import { GraphEdge, GraphNode, TakenPath, WorkflowGraph } from './graph';

let dagreLoaded: typeof Dagre | undefined;

/**
 * dagre, loaded on first use. The package ships it minified next to this file (lib/testing/dagre.js,
 * bundled at build time, so it installs nothing); the command-line bundle and the sources use the
 * development dependency (its CommonJS build).
 */
function dagre(): typeof Dagre {
  if (!dagreLoaded) {
    const bundled = path.join(__dirname, 'dagre.js');
    /* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
    dagreLoaded = fs.existsSync(bundled) ? require(bundled) as typeof Dagre : require('@dagrejs/dagre') as typeof Dagre;
    /* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
  }
  return dagreLoaded;
}

/** Average advance of a 12px sans-serif character, to size boxes without measuring text. */
const CHAR_WIDTH = 7;
const FONT_SIZE = 12;
const GROUP_LABEL_HEIGHT = 18;
/** Edge labels longer than this are cut (the full text is in the edge's tooltip). */
const MAX_EDGE_LABEL = 42;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function textWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

function shortLabel(label: string): string {
  return label.length > MAX_EDGE_LABEL ? `${label.slice(0, MAX_EDGE_LABEL - 1)}…` : label;
}

function subtitle(node: GraphNode): string | undefined {
  if (node.kind !== 'state') return undefined;
  return node.detail ? `${node.type} · ${node.detail}` : node.type;
}

function sizeOf(node: GraphNode): { width: number; height: number } {
  switch (node.kind) {
    case 'start':
    case 'end':
      return { width: 64, height: 28 };
    case 'join':
      return { width: 90, height: 8 };
    default: {
      const sub = subtitle(node) ?? '';
      const width = Math.max(110, textWidth(node.label) + 28, textWidth(sub) * 0.9 + 28);
      return { width: node.type === 'Choice' ? width + 36 : width, height: 44 };
    }
  }
}

interface Box { x: number; y: number; width: number; height: number }

export interface SvgOptions {
  /** Highlight what an execution went through. */
  readonly taken?: TakenPath;
  /** The drawing's title. */
  readonly title?: string;
}

/** Lays the graph out and draws it. */
export function toSvg(graph: WorkflowGraph, options: SvgOptions = {}): string {
  const g = new (dagre().graphlib.Graph)({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 46, edgesep: 14, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const group of graph.groups) g.setNode(group.id, {});
  for (const group of graph.groups) if (group.parent) g.setParent(group.id, group.parent);
  for (const node of graph.nodes) {
    g.setNode(node.id, sizeOf(node));
    if (node.group) g.setParent(node.id, node.group);
  }
  graph.edges.forEach((e, i) => {
    const label = e.label ? shortLabel(e.label) : undefined;
    g.setEdge(e.from, e.to, label
      ? { width: textWidth(label) * 0.92 + 8, height: FONT_SIZE + 6, labelpos: 'c', minlen: 1 }
      : { minlen: 1 }, `e${i}`);
  });
  dagre().layout(g);

  const taken = options.taken;
  const box = (id: string): Box => g.node(id) as unknown as Box;
  const depth = (id: string | undefined): number => {
    let d = 0;
    for (let p = graph.groups.find(x => x.id === id)?.parent; p; p = graph.groups.find(x => x.id === p)?.parent) d++;
    return d;
  };

  const parts: string[] = [];
  let maxX = 0;
  let maxY = 0;
  const grow = (x: number, y: number) => { maxX = Math.max(maxX, x); maxY = Math.max(maxY, y); };

  // Groups, outermost first so inner ones are drawn over them.
  const groups = [...graph.groups].sort((a, b) => depth(a.id) - depth(b.id));
  for (const group of groups) {
    const b = box(group.id);
    const left = b.x - b.width / 2;
    const top = b.y - b.height / 2 - GROUP_LABEL_HEIGHT;
    grow(left + b.width, top + b.height + GROUP_LABEL_HEIGHT);
    const isTaken = taken?.nodes.has(graph.nodes.find(n => n.kind === 'state' && n.state === group.state && n.group === group.id)?.id ?? '');
    parts.push(
      `<g class="group group-${group.kind}${isTaken ? ' taken' : ''}" data-group="${escapeXml(group.label)}">`
      + `<rect x="${r(left)}" y="${r(top)}" width="${r(b.width)}" height="${r(b.height + GROUP_LABEL_HEIGHT)}" rx="8"/>`
      + `<text class="group-label" x="${r(left + 8)}" y="${r(top + 13)}">${escapeXml(group.label)}</text></g>`,
    );
  }

  graph.edges.forEach((e, i) => {
    const edge = g.edge(e.from, e.to, `e${i}`) as unknown as LaidOutEdge;
    for (const p of edge.points) grow(p.x, p.y);
    parts.push(edgeSvg(e, i, edge, taken?.edges.has(i) ?? false));
  });

  for (const node of graph.nodes) {
    const b = box(node.id);
    grow(b.x + b.width / 2, b.y + b.height / 2);
    parts.push(nodeSvg(node, b, taken?.nodes.has(node.id) ?? false));
  }

  const width = Math.ceil(maxX + 16);
  const height = Math.ceil(maxY + 16);
  const title = options.title ? `<title>${escapeXml(options.title)}</title>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="workflow" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`
    + title
    + `<style>${STYLE}</style>`
    + '<defs>'
    + '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker>'
    + '<marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#e8590c"/></marker>'
    + '</defs>'
    + `<rect class="background" width="${width}" height="${height}"/>`
    + parts.join('')
    + '</svg>\n';
}

const STYLE = [
  '.background{fill:#fff}',
  '.group rect{fill:#f7f8fa;stroke:#9aa5b1;stroke-dasharray:4 3}',
  '.group-branch rect{fill:#fff}',
  '.group-label{fill:#52606d;font-size:11px;font-weight:bold}',
  '.edge path{fill:none;stroke:#666;stroke-width:1.4}',
  '.edge-catch path{stroke:#c62828;stroke-dasharray:5 3}',
  '.edge-label rect{fill:#fff;opacity:.9}',
  '.edge-label text{fill:#333;font-size:11px}',
  '.edge-catch .edge-label text{fill:#c62828}',
  '.node .shape{fill:#f4f4f4;stroke:#777;stroke-width:1.4}',
  '.node-task .shape{fill:#eef4fb;stroke:#3b6ea5}',
  '.node-choice .shape{fill:#fff7e0;stroke:#b58900}',
  '.node-succeed .shape{fill:#e3f4e6;stroke:#2e7d32;stroke-width:2.4}',
  '.node-fail .shape{fill:#fdeaea;stroke:#c62828;stroke-width:2.4}',
  '.node-start .shape,.node-end .shape{fill:#fff;stroke:#333}',
  '.node-join .shape{fill:#9aa5b1;stroke:none}',
  '.node .name{fill:#1f2933;font-weight:bold}',
  '.node .type{fill:#52606d;font-size:10px}',
  '.taken .shape{stroke:#e8590c;stroke-width:3}',
  '.node-join.taken .shape{fill:#e8590c}',
  '.edge.taken path{stroke:#e8590c;stroke-width:3}',
].join('');

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}

interface LaidOutEdge { readonly points: Array<{ x: number; y: number }>; readonly x?: number; readonly y?: number }

function edgeSvg(e: GraphEdge, index: number, { points, x: lx, y: ly }: LaidOutEdge, isTaken: boolean): string {
  let d = `M${r(points[0].x)},${r(points[0].y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mid = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    d += ` Q${r(points[i].x)},${r(points[i].y)} ${r(mid.x)},${r(mid.y)}`;
  }
  const last = points[points.length - 1];
  d += ` L${r(last.x)},${r(last.y)}`;
  let label = '';
  if (e.label && lx !== undefined && ly !== undefined) {
    const text = shortLabel(e.label);
    const w = textWidth(text) * 0.92 + 8;
    label = `<g class="edge-label"><rect x="${r(lx - w / 2)}" y="${r(ly - 9)}" width="${r(w)}" height="18" rx="3"/>`
      + `<text x="${r(lx)}" y="${r(ly + 4)}" text-anchor="middle">${escapeXml(text)}</text></g>`;
  }
  const tooltip = e.label ? `<title>${escapeXml(e.label)}</title>` : '';
  return `<g class="edge edge-${e.kind}${isTaken ? ' taken' : ''}" data-edge="${index}" data-from="${e.from}" data-to="${e.to}">${tooltip}`
    + `<path d="${d}" marker-end="url(#${isTaken ? 'arrow-taken' : 'arrow'})"/>${label}</g>`;
}

function nodeClass(node: GraphNode): string {
  if (node.kind !== 'state') return `node-${node.kind}`;
  return `node-${node.type!.toLowerCase()}`;
}

function nodeSvg(node: GraphNode, b: Box, isTaken: boolean): string {
  const left = b.x - b.width / 2;
  const top = b.y - b.height / 2;
  let shape: string;
  if (node.kind === 'join') {
    shape = `<rect class="shape" x="${r(left)}" y="${r(top)}" width="${r(b.width)}" height="${r(b.height)}" rx="3"/>`;
  } else if (node.kind === 'start' || node.kind === 'end' || node.terminal) {
    shape = `<rect class="shape" x="${r(left)}" y="${r(top)}" width="${r(b.width)}" height="${r(b.height)}" rx="${r(b.height / 2)}"/>`;
  } else if (node.type === 'Choice') {
    const k = 18;
    const right = left + b.width;
    const bottom = top + b.height;
    const pts = [[left, b.y], [left + k, top], [right - k, top], [right, b.y], [right - k, bottom], [left + k, bottom]];
    shape = `<polygon class="shape" points="${pts.map(([x, y]) => `${r(x)},${r(y)}`).join(' ')}"/>`;
  } else {
    shape = `<rect class="shape" x="${r(left)}" y="${r(top)}" width="${r(b.width)}" height="${r(b.height)}" rx="5"/>`;
  }
  const sub = subtitle(node);
  let text = '';
  if (node.kind !== 'join') {
    const nameY = sub ? b.y - 2 : b.y + 4;
    text = `<text class="name" x="${r(b.x)}" y="${r(nameY)}" text-anchor="middle">${escapeXml(node.label)}</text>`;
    if (sub) text += `<text class="type" x="${r(b.x)}" y="${r(b.y + 13)}" text-anchor="middle">${escapeXml(sub)}</text>`;
  }
  const data = [
    node.kind === 'state' ? ` data-state="${escapeXml(node.state!)}" data-type="${escapeXml(node.type!)}"` : '',
    node.kind === 'join' ? ` data-join="${escapeXml(node.state!)}"` : '',
  ].join('');
  const title = node.kind === 'join' ? `<title>${escapeXml(`${node.state} done`)}</title>` : '';
  return `<g class="node ${nodeClass(node)}${node.terminal ? ' terminal' : ''}${isTaken ? ' taken' : ''}" id="node-${node.id}"${data}>${title}${shape}${text}</g>`;
}
