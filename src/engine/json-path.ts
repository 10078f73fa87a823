/**
 * JSONPath as the Amazon States Language uses it.
 *
 * - A *path* (`InputPath`, `OutputPath`, `ItemsPath`, a `.$` field) may select several nodes
 *   (`$.items[*].id`, `$..price`, `$.a[?(@.n > 1)]`): it then yields an array of them.
 * - A *reference path* (`ResultPath`, a Choice `Variable`) names exactly one node: dots, brackets
 *   and indices only.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
 */

export type Segment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'names'; readonly names: string[] }
  | { readonly kind: 'indices'; readonly indices: number[] }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number; readonly step?: number }
  | { readonly kind: 'descend'; readonly then: Segment }
  | { readonly kind: 'filter'; readonly test: FilterExpr };

type FilterExpr =
  | { readonly op: '&&' | '||'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly op: '!'; readonly operand: FilterExpr }
  | { readonly op: 'exists'; readonly path: Segment[] }
  | { readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: FilterOperand; readonly right: FilterOperand };

type FilterOperand = { readonly path: Segment[] } | { readonly value: unknown };

/** A path that could not be parsed. */
export class PathSyntaxError extends Error {
  constructor(public readonly path: string, reason: string) {
    super(`invalid JSONPath '${path}': ${reason}`);
    this.name = 'PathSyntaxError';
  }
}

/** A parsed path: where it starts (`$` the input, `$$` the context object, `$name` a variable) and its segments. */
export interface ParsedPath {
  readonly text: string;
  readonly root: 'input' | 'context' | 'variable';
  /** The variable's name, when root is `variable`. */
  readonly variable?: string;
  readonly segments: Segment[];
  /** True when the path can select at most one node (no wildcard, filter, slice, union or descent). */
  readonly definite: boolean;
}

const cache = new Map<string, ParsedPath>();

export function parsePath(text: string): ParsedPath {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = new Parser(text).parse();
  if (cache.size > 5000) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): ParsedPath {
    const t = this.text;
    if (!t.startsWith('$')) throw new PathSyntaxError(t, 'a path starts with $');
    let root: ParsedPath['root'] = 'input';
    let variable: string | undefined;
    this.pos = 1;
    if (t[1] === '$') {
      root = 'context';
      this.pos = 2;
    } else if (t[1] !== undefined && IDENT_START.test(t[1])) {
      root = 'variable';
      let end = 1;
      while (end < t.length && IDENT.test(t[end])) end++;
      variable = t.slice(1, end);
      this.pos = end;
    }
    const segments = this.segments();
    const definite = segments.every(s => s.kind === 'name' || s.kind === 'index');
    return { text: t, root, variable, segments, definite };
  }

  private segments(untilFilterEnd = false): Segment[] {
    const t = this.text;
    const out: Segment[] = [];
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (untilFilterEnd && (c === ')' || c === ' ' || c === '=' || c === '!' || c === '<' || c === '>' || c === '&' || c === '|')) break;
      if (c === '.') {
        if (t[this.pos + 1] === '.') {
          this.pos += 2;
          const then = t[this.pos] === '[' ? this.bracket() : this.dotName();
          out.push({ kind: 'descend', then });
        } else {
          this.pos += 1;
          // `$.abc.['def ghi']`, as the Step Functions paths page writes it.
          out.push(t[this.pos] === '[' ? this.bracket() : this.dotName());
        }
      } else if (c === '[') {
        out.push(this.bracket());
      } else {
        throw new PathSyntaxError(t, `unexpected '${c}' at position ${this.pos}`);
      }
    }
    return out;
  }

  private dotName(): Segment {
    const t = this.text;
    if (t[this.pos] === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    const start = this.pos;
    while (this.pos < t.length && !'.[]()=!<>&| '.includes(t[this.pos])) this.pos++;
    if (this.pos === start) throw new PathSyntaxError(t, `a name is missing at position ${start}`);
    return { kind: 'name', name: t.slice(start, this.pos) };
  }

  private bracket(): Segment {
    const t = this.text;
    this.pos++; // [
    this.skipSpaces();
    let seg: Segment;
    if (t[this.pos] === '*') {
      this.pos++;
      seg = { kind: 'wildcard' };
    } else if (t[this.pos] === '?') {
      this.pos++;
      this.skipSpaces();
      this.expect('(');
      const test = this.filterOr();
      this.skipSpaces();
      this.expect(')');
      seg = { kind: 'filter', test };
    } else if (t[this.pos] === '(') {
      throw new PathSyntaxError(t, 'script expressions [(...)] are not supported by Step Functions');
    } else if (t[this.pos] === '\'' || t[this.pos] === '"') {
      const names = [this.quoted()];
      this.skipSpaces();
      while (t[this.pos] === ',') {
        this.pos++;
        this.skipSpaces();
        names.push(this.quoted());
        this.skipSpaces();
      }
      seg = names.length === 1 ? { kind: 'name', name: names[0] } : { kind: 'names', names };
    } else {
      seg = this.indexOrSlice();
    }
    this.skipSpaces();
    this.expect(']');
    return seg;
  }

  private indexOrSlice(): Segment {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && t[this.pos] !== ']') this.pos++;
    const body = t.slice(start, this.pos).trim();
    if (body.includes(':')) {
      const parts = body.split(':').map(p => p.trim());
      if (parts.length > 3) throw new PathSyntaxError(t, `invalid slice [${body}]`);
      const num = (p: string | undefined) => {
        if (p === undefined || p === '') return undefined;
        if (!/^-?\d+$/.test(p)) throw new PathSyntaxError(t, `invalid slice [${body}]`);
        return Number(p);
      };
      return { kind: 'slice', start: num(parts[0]), end: num(parts[1]), step: num(parts[2]) };
    }
    const items = body.split(',').map(p => p.trim());
    if (items.some(p => !/^-?\d+$/.test(p))) throw new PathSyntaxError(t, `invalid index [${body}]`);
    const indices = items.map(Number);
    return indices.length === 1 ? { kind: 'index', index: indices[0] } : { kind: 'indices', indices };
  }

  private quoted(): string {
    const t = this.text;
    const q = t[this.pos];
    if (q !== '\'' && q !== '"') throw new PathSyntaxError(t, `a quoted name is expected at position ${this.pos}`);
    this.pos++;
    let out = '';
    while (this.pos < t.length && t[this.pos] !== q) {
      // A backslash escapes only the enclosing quote or another backslash; before anything else it is
      // itself (recorded: AWS reads $['Test\""Name"'] as the key Test\""Name", backslash included).
      if (t[this.pos] === '\\' && (t[this.pos + 1] === q || t[this.pos + 1] === '\\')) this.pos++;
      out += t[this.pos++];
    }
    if (t[this.pos] !== q) throw new PathSyntaxError(t, 'an unterminated quoted name');
    this.pos++;
    return out;
  }

  private filterOr(): FilterExpr {
    let left = this.filterAnd();
    this.skipSpaces();
    while (this.text.startsWith('||', this.pos)) {
      this.pos += 2;
      left = { op: '||', left, right: this.filterAnd() };
      this.skipSpaces();
    }
    return left;
  }

  private filterAnd(): FilterExpr {
    let left = this.filterUnary();
    this.skipSpaces();
    while (this.text.startsWith('&&', this.pos)) {
      this.pos += 2;
      left = { op: '&&', left, right: this.filterUnary() };
      this.skipSpaces();
    }
    return left;
  }

  private filterUnary(): FilterExpr {
    this.skipSpaces();
    const t = this.text;
    if (t[this.pos] === '!' && t[this.pos + 1] !== '=') {
      this.pos++;
      return { op: '!', operand: this.filterUnary() };
    }
    if (t[this.pos] === '(') {
      this.pos++;
      const inner = this.filterOr();
      this.skipSpaces();
      this.expect(')');
      return inner;
    }
    const left = this.operand();
    this.skipSpaces();
    const op = ['==', '!=', '<=', '>=', '<', '>'].find(o => t.startsWith(o, this.pos)) as '==' | '!=' | '<' | '<=' | '>' | '>=' | undefined;
    if (!op) {
      if (!('path' in left)) throw new PathSyntaxError(t, 'a filter needs a comparison or an @ path');
      return { op: 'exists', path: left.path };
    }
    this.pos += op.length;
    this.skipSpaces();
    return { op, left, right: this.operand() };
  }

  private operand(): FilterOperand {
    const t = this.text;
    this.skipSpaces();
    const c = t[this.pos];
    if (c === '@') {
      this.pos++;
      return { path: this.segments(true) };
    }
    if (c === '\'' || c === '"') return { value: this.quoted() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(t.slice(this.pos));
    if (!m) throw new PathSyntaxError(t, `unexpected '${c ?? 'end'}' in a filter at position ${this.pos}`);
    this.pos += m[0].length;
    return { value: JSON.parse(m[0]) };
  }

  private expect(c: string) {
    if (this.text[this.pos] !== c) throw new PathSyntaxError(this.text, `'${c}' expected at position ${this.pos}`);
    this.pos++;
  }

  private skipSpaces() {
    while (this.text[this.pos] === ' ') this.pos++;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function step(nodes: unknown[], seg: Segment): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    switch (seg.kind) {
      case 'name':
        if (isObject(node) && own(node, seg.name)) out.push(node[seg.name]);
        break;
      case 'index':
        if (Array.isArray(node)) {
          const i = seg.index < 0 ? node.length + seg.index : seg.index;
          if (i >= 0 && i < node.length) out.push(node[i]);
        }
        break;
      case 'wildcard':
        if (Array.isArray(node)) out.push(...node);
        else if (isObject(node)) out.push(...Object.values(node));
        break;
      case 'names':
        if (isObject(node)) for (const n of seg.names) if (own(node, n)) out.push(node[n]);
        break;
      case 'indices':
        if (Array.isArray(node)) {
          for (const idx of seg.indices) {
            const i = idx < 0 ? node.length + idx : idx;
            if (i >= 0 && i < node.length) out.push(node[i]);
          }
        }
        break;
      case 'slice':
        if (Array.isArray(node)) out.push(...slice(node, seg.start, seg.end, seg.step));
        break;
      case 'descend':
        for (const d of descendants(node)) out.push(...step([d], seg.then));
        break;
      case 'filter':
        if (Array.isArray(node)) out.push(...node.filter(item => filterTest(seg.test, item)));
        else if (isObject(node)) out.push(...Object.values(node).filter(item => filterTest(seg.test, item)));
        break;
    }
  }
  return out;
}

function slice(arr: unknown[], start?: number, end?: number, stepBy = 1): unknown[] {
  if (stepBy === 0) return [];
  const n = arr.length;
  const norm = (i: number) => (i < 0 ? Math.max(0, n + i) : Math.min(n, i));
  const out: unknown[] = [];
  if (stepBy > 0) {
    for (let i = norm(start ?? 0); i < norm(end ?? n); i += stepBy) out.push(arr[i]);
  } else {
    for (let i = start === undefined ? n - 1 : norm(start); i > (end === undefined ? -1 : norm(end)); i += stepBy) out.push(arr[i]);
  }
  return out;
}

function descendants(node: unknown): unknown[] {
  const out: unknown[] = [node];
  const children = Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
  for (const c of children) out.push(...descendants(c));
  return out;
}

function operandValue(o: FilterOperand, item: unknown): { found: boolean; value?: unknown } {
  if ('value' in o) return { found: true, value: o.value };
  let nodes: unknown[] = [item];
  for (const seg of o.path) nodes = step(nodes, seg);
  return nodes.length === 0 ? { found: false } : { found: true, value: nodes[0] };
}

function filterTest(e: FilterExpr, item: unknown): boolean {
  switch (e.op) {
    case '&&': return filterTest(e.left, item) && filterTest(e.right, item);
    case '||': return filterTest(e.left, item) || filterTest(e.right, item);
    case '!': return !filterTest(e.operand, item);
    case 'exists': return operandValue({ path: e.path }, item).found;
    default: {
      const l = operandValue(e.left, item);
      const r = operandValue(e.right, item);
      if (!l.found || !r.found) return false;
      const a = l.value;
      const b = r.value;
      switch (e.op) {
        case '==': return deepEqual(a, b);
        case '!=': return !deepEqual(a, b);
      }
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      switch (e.op) {
        case '<': return (a as number) < (b as number);
        case '<=': return (a as number) <= (b as number);
        case '>': return (a as number) > (b as number);
        case '>=': return (a as number) >= (b as number);
      }
    }
  }
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every(k => own(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** What a path selects: `{ found: false }` when a definite path names nothing. */
export function queryPath(path: ParsedPath, root: unknown): { found: boolean; value?: unknown } {
  let nodes: unknown[] = [root];
  for (const seg of path.segments) {
    nodes = step(nodes, seg);
    if (path.definite && nodes.length === 0) return { found: false };
  }
  if (path.definite) return nodes.length === 0 ? { found: false } : { found: true, value: nodes[0] };
  return { found: true, value: nodes };
}

/**
 * Writes `value` at a reference path inside a copy of `target`, creating objects on the way
 * (`ResultPath`). Returns undefined when the path runs into a value that is not an object.
 */
export function setAtPath(path: ParsedPath, target: unknown, value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (path.segments.length === 0) return { ok: true, value };
  if (!path.definite) return { ok: false, reason: `'${path.text}' is not a reference path` };
  const write = (node: unknown, i: number): { ok: true; value: unknown } | { ok: false; reason: string } => {
    if (i === path.segments.length) return { ok: true, value };
    const seg = path.segments[i];
    if (seg.kind === 'name') {
      if (node !== undefined && !isObject(node)) {
        return { ok: false, reason: `'${seg.name}' cannot be set on ${Array.isArray(node) ? 'an array' : JSON.stringify(node)}` };
      }
      const obj = isObject(node) ? node : {};
      const inner = write(obj[seg.name], i + 1);
      if (!inner.ok) return inner;
      return { ok: true, value: { ...obj, [seg.name]: inner.value } };
    }
    if (seg.kind === 'index') {
      if (!Array.isArray(node) || seg.index < 0 || seg.index >= node.length) {
        return { ok: false, reason: `index ${(seg as { index: number }).index} does not exist` };
      }
      const inner = write(node[seg.index], i + 1);
      if (!inner.ok) return inner;
      const copy = [...node];
      copy[seg.index] = inner.value;
      return { ok: true, value: copy };
    }
    return { ok: false, reason: `'${path.text}' is not a reference path` };
  };
  return write(target, 0);
}
