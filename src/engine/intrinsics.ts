/**
 * Intrinsic functions (`States.Format(...)`, `States.Hash(...)`...), evaluated in JSONPath states'
 * `.$` fields and in a Fail state's `ErrorPath`/`CausePath`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
import * as crypto from 'crypto';
import { StatesError } from './errors';
import { parsePath, ParsedPath } from './json-path';

type Arg =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'path'; readonly path: ParsedPath }
  | { readonly kind: 'call'; readonly call: Call };

export interface Call { readonly name: string; readonly args: Arg[]; readonly text: string }

/** Resolves a path argument (`$.x`, `$$.Execution.Id`, `$var`): throws StatesError when it names nothing. */
export type PathResolver = (path: ParsedPath) => unknown;

/** Seeded randomness for States.UUID and States.MathRandom. */
export interface Randomness { next(): number; uuid(): string }

export function isIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\s*\(/.test(text.trim());
}

const cache = new Map<string, Call>();

export function parseIntrinsic(text: string): Call {
  const hit = cache.get(text);
  if (hit) return hit;
  const p = new IntrinsicParser(text.trim());
  const call = p.call();
  p.end();
  if (cache.size > 2000) cache.clear();
  cache.set(text, call);
  return call;
}

function failure(message: string): StatesError {
  return new StatesError('States.Runtime', message);
}

class IntrinsicParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  call(): Call {
    const start = this.pos;
    const m = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.pos));
    if (!m) throw failure(`invalid intrinsic function: ${this.text}`);
    this.pos += m[0].length;
    this.spaces();
    this.expect('(');
    const args: Arg[] = [];
    this.spaces();
    if (this.text[this.pos] !== ')') {
      for (;;) {
        args.push(this.arg());
        this.spaces();
        if (this.text[this.pos] === ',') {
          this.pos++;
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return { name: m[0], args, text: this.text.slice(start, this.pos) };
  }

  end() {
    this.spaces();
    if (this.pos !== this.text.length) throw failure(`unexpected text after the intrinsic function: ${this.text}`);
  }

  private arg(): Arg {
    this.spaces();
    const t = this.text;
    const c = t[this.pos];
    if (c === '\'') return { kind: 'literal', value: this.string() };
    if (t.startsWith('States.', this.pos)) return { kind: 'call', call: this.call() };
    if (c === '$') {
      const start = this.pos;
      let depth = 0;
      let quote: string | undefined;
      while (this.pos < t.length) {
        const ch = t[this.pos];
        if (quote) {
          if (ch === '\\') this.pos++;
          else if (ch === quote) quote = undefined;
        } else if (ch === '\'' || ch === '"') {quote = ch;} else if (ch === '[' || ch === '(') {depth++;} else if (ch === ']' || ch === ')') {
          if (depth === 0) break;
          depth--;
        } else if ((ch === ',' || ch === ' ') && depth === 0) {break;}
        this.pos++;
      }
      const text = t.slice(start, this.pos);
      try {
        return { kind: 'path', path: parsePath(text) };
      } catch (e) {
        throw failure(`invalid path argument '${text}' in ${this.text}: ${(e as Error).message}`);
      }
    }
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(t.slice(this.pos));
    if (!m) throw failure(`invalid argument at position ${this.pos} of ${this.text}`);
    this.pos += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  }

  /** A single-quoted string; `\'`, `\{`, `\}` and `\\` stay escaped for States.Format, which reads them. */
  private string(): string {
    const t = this.text;
    this.pos++;
    let out = '';
    while (this.pos < t.length && t[this.pos] !== '\'') {
      if (t[this.pos] === '\\' && this.pos + 1 < t.length) {
        out += t[this.pos] + t[this.pos + 1];
        this.pos += 2;
        continue;
      }
      out += t[this.pos++];
    }
    if (t[this.pos] !== '\'') throw failure(`unterminated string in ${t}`);
    this.pos++;
    return out;
  }

  private spaces() {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  private expect(c: string) {
    if (this.text[this.pos] !== c) throw failure(`'${c}' expected at position ${this.pos} of ${this.text}`);
    this.pos++;
  }
}

/** A literal string argument with its escapes removed (every function but States.Format's template). */
function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

export function evaluateIntrinsic(call: Call, resolve: PathResolver, random: Randomness): unknown {
  const values = call.args.map(a => {
    if (a.kind === 'literal') return typeof a.value === 'string' ? { raw: a.value, value: unescape(a.value) } : { value: a.value };
    if (a.kind === 'path') return { value: resolve(a.path) };
    return { value: evaluateIntrinsic(a.call, resolve, random) };
  });
  const args = values.map(v => v.value);
  const fn = FUNCTIONS[call.name];
  if (!fn) throw failure(`the intrinsic function ${call.name} does not exist`);
  const [min, max] = fn.arity;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw failure(`${call.name} takes ${expected} argument(s), got ${args.length}: ${call.text}`);
  }
  return fn.run(args, { call, random, raw: values.map(v => ('raw' in v ? v.raw : undefined)) });
}

interface FnContext { readonly call: Call; readonly random: Randomness; readonly raw: (string | undefined)[] }
interface Fn { readonly arity: [number, number]; run(args: unknown[], ctx: FnContext): unknown }

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function need(ctx: FnContext, i: number, v: unknown, type: 'string' | 'number' | 'integer' | 'array' | 'object' | 'boolean'): void {
  const ok = type === 'integer' ? Number.isInteger(v) : type === 'array' ? Array.isArray(v)
    : type === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === type;
  if (!ok) throw failure(`${ctx.call.name}: argument ${i + 1} must be ${type === 'integer' ? 'an integer' : `a ${type}`}, got ${typeName(v)} ${JSON.stringify(v)}`);
}

function formatValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** How States.Format prints a value: objects and arrays as Step Functions' runtime prints them (`{a=1, b=[]}`). */
function formatArgument(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(formatArgument).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}=${formatArgument(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

const HASHES: Record<string, string> = { 'MD5': 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

const FUNCTIONS: Record<string, Fn> = {
  'States.Format': {
    arity: [1, Infinity],
    run(args, ctx) {
      need(ctx, 0, args[0], 'string');
      const template = ctx.raw[0] ?? String(args[0]);
      const rest = args.slice(1);
      let out = '';
      let used = 0;
      for (let i = 0; i < template.length; i++) {
        const c = template[i];
        if (c === '\\' && i + 1 < template.length) {
          out += template[++i];
        } else if (c === '{' && template[i + 1] === '}') {
          if (used >= rest.length) throw failure(`States.Format: the template has more {} than the ${rest.length} value(s) given: ${ctx.call.text}`);
          out += formatArgument(rest[used++]);
          i++;
        } else {
          out += c;
        }
      }
      if (used !== rest.length) throw failure(`States.Format: ${rest.length} value(s) given for ${used} {} in the template: ${ctx.call.text}`);
      return out;
    },
  },
  'States.StringToJson': {
    arity: [1, 1],
    run(args, ctx) {
      need(ctx, 0, args[0], 'string');
      if ((args[0] as string).trim() === '') return null;
      try {
        return JSON.parse(args[0] as string);
      } catch {
        throw failure(`States.StringToJson: the argument is not JSON: ${args[0]}`);
      }
    },
  },
  'States.JsonToString': { arity: [1, 1], run: args => JSON.stringify(args[0]) },
  'States.Array': { arity: [0, Infinity], run: args => args },
  'States.ArrayPartition': {
    arity: [2, 2],
    run(args, ctx) {
      need(ctx, 0, args[0], 'array');
      need(ctx, 1, args[1], 'integer');
      const size = args[1] as number;
      if (size <= 0) throw failure(`States.ArrayPartition: the chunk size must be positive, got ${size}`);
      const arr = args[0] as unknown[];
      const out: unknown[][] = [];
      for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
      return out;
    },
  },
  'States.ArrayContains': {
    arity: [2, 2],
    run(args, ctx) {
      need(ctx, 0, args[0], 'array');
      return (args[0] as unknown[]).some(v => JSON.stringify(v) === JSON.stringify(args[1]));
    },
  },
  'States.ArrayRange': {
    arity: [3, 3],
    run(args, ctx) {
      args.forEach((a, i) => need(ctx, i, a, 'integer'));
      const [start, end, stepBy] = args as number[];
      if (stepBy === 0) throw failure('States.ArrayRange: the step must not be 0');
      const out: number[] = [];
      for (let i = start; stepBy > 0 ? i <= end : i >= end; i += stepBy) {
        out.push(i);
        if (out.length > 1000) throw failure('States.ArrayRange: the array would have more than 1000 items');
      }
      return out;
    },
  },
  'States.ArrayGetItem': {
    arity: [2, 2],
    run(args, ctx) {
      need(ctx, 0, args[0], 'array');
      need(ctx, 1, args[1], 'integer');
      const arr = args[0] as unknown[];
      const i = args[1] as number;
      if (i < 0 || i >= arr.length) throw failure(`States.ArrayGetItem: index ${i} is out of bounds for an array of ${arr.length}`);
      return arr[i];
    },
  },
  'States.ArrayLength': {
    arity: [1, 1],
    run(args, ctx) {
      need(ctx, 0, args[0], 'array');
      return (args[0] as unknown[]).length;
    },
  },
  'States.ArrayUnique': {
    arity: [1, 1],
    run(args, ctx) {
      need(ctx, 0, args[0], 'array');
      const seen = new Set<string>();
      return (args[0] as unknown[]).filter(v => {
        const k = JSON.stringify(v);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
  },
  'States.Base64Encode': {
    arity: [1, 1],
    run(args, ctx) {
      need(ctx, 0, args[0], 'string');
      if ((args[0] as string).length > 10000) throw failure('States.Base64Encode: the input is longer than 10000 characters');
      return Buffer.from(args[0] as string, 'utf8').toString('base64');
    },
  },
  'States.Base64Decode': {
    arity: [1, 1],
    run(args, ctx) {
      need(ctx, 0, args[0], 'string');
      const s = args[0] as string;
      if (s.length > 10000) throw failure('States.Base64Decode: the input is longer than 10000 characters');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw failure(`States.Base64Decode: the argument is not base64: ${s}`);
      return Buffer.from(s, 'base64').toString('utf8');
    },
  },
  'States.Hash': {
    arity: [2, 2],
    run(args, ctx) {
      if (args[0] === null || args[0] === undefined) throw failure('States.Hash: the data to hash is null');
      need(ctx, 1, args[1], 'string');
      const algorithm = HASHES[args[1] as string];
      if (!algorithm) throw failure(`States.Hash: the algorithm must be one of ${Object.keys(HASHES).join(', ')}, got ${args[1]}`);
      const data = formatValue(args[0]);
      if (data.length > 10000) throw failure('States.Hash: the input is longer than 10000 characters');
      return crypto.createHash(algorithm).update(data, 'utf8').digest('hex');
    },
  },
  'States.JsonMerge': {
    arity: [3, 3],
    run(args, ctx) {
      need(ctx, 0, args[0], 'object');
      need(ctx, 1, args[1], 'object');
      need(ctx, 2, args[2], 'boolean');
      if (args[2] !== false) throw failure('States.JsonMerge: only shallow merging is supported (the third argument must be false)');
      return { ...(args[0] as object), ...(args[1] as object) };
    },
  },
  'States.MathRandom': {
    arity: [2, 3],
    run(args, ctx) {
      args.forEach((a, i) => need(ctx, i, a, 'integer'));
      const [start, end] = args as number[];
      if (end <= start) throw failure(`States.MathRandom: the end (${end}) must be greater than the start (${start})`);
      return start + Math.floor(ctx.random.next() * (end - start));
    },
  },
  'States.MathAdd': {
    arity: [2, 2],
    run(args, ctx) {
      // Each argument is rounded half up first: (1.49, 1.5) gives 3.
      args.forEach((a, i) => need(ctx, i, a, 'number'));
      return Math.round(args[0] as number) + Math.round(args[1] as number) + 0;
    },
  },
  'States.StringSplit': {
    arity: [2, 2],
    run(args, ctx) {
      need(ctx, 0, args[0], 'string');
      need(ctx, 1, args[1], 'string');
      const s = args[0] as string;
      const delimiters = new Set((args[1] as string).split(''));
      const out: string[] = [];
      let current = '';
      for (const ch of s) {
        if (delimiters.has(ch)) {
          if (current !== '') out.push(current);
          current = '';
        } else {current += ch;}
      }
      if (current !== '') out.push(current);
      return out;
    },
  },
  'States.UUID': { arity: [0, 0], run: (_args, ctx) => ctx.random.uuid() },
};

/** The names of every intrinsic function the engine knows. */
export const INTRINSIC_FUNCTIONS = Object.keys(FUNCTIONS);
