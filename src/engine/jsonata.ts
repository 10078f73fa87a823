/**
 * JSONata in Step Functions: `{% ... %}` templates evaluated with the official `jsonata` package,
 * with `$states` bound and the functions Step Functions adds.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import type JsonataModule = require('jsonata');
import { StatesError } from './errors';
import type { Randomness } from './intrinsics';

/**
 * The official implementation: the package ships it minified, with its licence, next to this file
 * (lib/engine/jsonata.bundle.js, built from the `jsonata` package); the sources and the command-line
 * bundle use the development dependency.
 */
function loadJsonata(): typeof JsonataModule {
  const bundled = path.join(__dirname, 'jsonata.bundle.js');
  /* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
  return fs.existsSync(bundled) ? require(bundled) as typeof JsonataModule : require('jsonata') as typeof JsonataModule;
  /* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
}
const jsonata = loadJsonata();

const HASHES: Record<string, string> = { 'MD5': 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** A `{% %}` string, with the expression inside. */
export function jsonataExpression(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Only a string that starts with {% and ends with %} is an expression; text around it makes a literal.
  return value.startsWith('{%') && value.endsWith('%}') && value.length >= 4 ? value.slice(2, -2).trim() : undefined;
}

const compiled = new Map<string, JsonataModule.Expression>();

function compile(expression: string, field: string): JsonataModule.Expression {
  let expr = compiled.get(expression);
  if (!expr) {
    try {
      expr = jsonata(expression);
    } catch (e) {
      throw new StatesError('States.QueryEvaluationError',
        `The JSONata expression '${expression}' specified for the field '${field}' could not be parsed: ${(e as Error).message}`, field);
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(expression, expr);
  }
  return expr;
}

/** What JSONata expressions see: `$states` and the workflow variables. */
export interface JsonataScope {
  readonly states: Record<string, unknown>;
  readonly variables: Record<string, unknown>;
  readonly random: Randomness;
}

const functionSets = new WeakMap<Randomness, Record<string, unknown>>();

function functions(random: Randomness): Record<string, unknown> {
  let set = functionSets.get(random);
  if (!set) {
    set = makeFunctions(random);
    functionSets.set(random, set);
  }
  return set;
}

function makeFunctions(random: Randomness): Record<string, unknown> {
  return {
    partition: (array: unknown, size: unknown) => {
      if (!Array.isArray(array) || !Number.isInteger(size) || (size as number) <= 0) {
        throw new Error('$partition takes an array and a positive integer');
      }
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += size as number) out.push(array.slice(i, i + (size as number)));
      return out;
    },
    range: (start: unknown, end: unknown, step: unknown) => {
      if (![start, end, step].every(Number.isInteger) || step === 0) throw new Error('$range takes three integers and a step that is not 0');
      const out: number[] = [];
      for (let i = start as number; (step as number) > 0 ? i <= (end as number) : i >= (end as number); i += step as number) {
        out.push(i);
        if (out.length > 1000) throw new Error('$range would return more than 1000 items');
      }
      // A JSONata sequence, as AWS's $range returns: one number alone is that number (recorded: $range(1, 9, 9) is 1).
      return Object.defineProperty(out, 'sequence', { value: true });
    },
    hash: (data: unknown, algorithm: unknown) => {
      const name = HASHES[String(algorithm)];
      if (!name) throw new Error(`$hash: the algorithm must be one of ${Object.keys(HASHES).join(', ')}`);
      if (data === undefined || data === null) throw new Error('$hash: the data to hash is null');
      return crypto.createHash(name).update(typeof data === 'string' ? data : JSON.stringify(data), 'utf8').digest('hex');
    },
    random: (seed?: unknown) => {
      if (seed === undefined) return random.next();
      // A seeded value is the same for the same seed.
      /* eslint-disable no-bitwise */
      let h = 2166136261;
      for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      return ((h >>> 0) % 1_000_000) / 1_000_000;
      /* eslint-enable no-bitwise */
    },
    uuid: () => random.uuid(),
    parse: (text: unknown) => {
      if (typeof text !== 'string') throw new Error('$parse takes a string');
      return JSON.parse(text);
    },
  };
}

const SIMPLE_PATH = /^\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/;
const NO_SHORTCUT = Symbol('no shortcut');

/**
 * `$states.input.a.b` or `$var.a`: a walk through objects gives the same value JSONata gives, without
 * its evaluator (an array at the end comes back as it is). Anything else (an array on the way, a missing field)
 * goes to JSONata.
 */
const simplePaths = new Map<string, { root: string; keys: string[] } | null>();

function simplePath(expression: string, scope: JsonataScope): unknown {
  let parsed = simplePaths.get(expression);
  if (parsed === undefined) {
    const m = SIMPLE_PATH.exec(expression);
    parsed = m ? { root: m[1], keys: m[2] === '' ? [] : m[2].slice(1).split('.') } : null;
    if (simplePaths.size > 5000) simplePaths.clear();
    simplePaths.set(expression, parsed);
  }
  if (!parsed) return NO_SHORTCUT;
  let node: unknown;
  if (parsed.root === 'states') node = scope.states;
  else if (Object.prototype.hasOwnProperty.call(scope.variables, parsed.root)) node = scope.variables[parsed.root];
  else return NO_SHORTCUT;
  for (const key of parsed.keys) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, key)) return NO_SHORTCUT;
    node = (node as Record<string, unknown>)[key];
  }
  if (node === undefined) return NO_SHORTCUT;
  return node;
}

/** Evaluates one expression; undefined results and functions are query evaluation errors, as on AWS. */
export async function evaluateJsonata(expression: string, field: string, scope: JsonataScope): Promise<unknown> {
  // The engine's own data (input, results, variables, context) is plain JSON, never changed in place.
  const shortcut = simplePath(expression, scope);
  if (shortcut !== NO_SHORTCUT) return shortcut;
  const expr = compile(expression, field);
  let result: unknown;
  try {
    result = await expr.evaluate(scope.states.input, { ...scope.variables, ...functions(scope.random), states: scope.states });
  } catch (e) {
    const err = e as { message?: string; code?: string };
    // AWS prints JSONata's own error code first: 'T1006: Attempted to invoke a non-function'.
    const code = typeof err.code === 'string' && /^[A-Z]\d{4}$/.test(err.code) ? `${err.code}: ` : '';
    throw new StatesError('States.QueryEvaluationError',
      `The JSONata expression '${expression}' specified for the field '${field}' threw an error during evaluation. ${code}${err.message ?? String(e)}`, field);
  }
  if (result === undefined) {
    throw new StatesError('States.QueryEvaluationError', `The JSONata expression '${expression}' specified for the field '${field}' returned nothing (undefined).`, field);
  }
  const plain = toJson(result);
  if (plain === UNSUPPORTED) {
    throw new StatesError('States.QueryEvaluationError', `The JSONata expression '${expression}' specified for the field '${field}' returned an unsupported result type.`, field);
  }
  return plain;
}

const UNSUPPORTED = Symbol('unsupported');

/** A JSONata result as plain JSON (sequences become arrays, undefined members are dropped); UNSUPPORTED for functions and non-finite numbers. */
function toJson(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : UNSUPPORTED;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      if (x === undefined) continue;
      const j = toJson(x);
      if (j === UNSUPPORTED) return UNSUPPORTED;
      out.push(j);
    }
    return out;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) {
      if (x === undefined) continue;
      const j = toJson(x);
      if (j === UNSUPPORTED) return UNSUPPORTED;
      out[k] = j;
    }
    return out;
  }
  return UNSUPPORTED;
}

/**
 * Evaluates a JSONata template: every `{% %}` string inside objects and arrays is replaced by its
 * value; other values stay as written.
 */
const staticTemplates = new WeakMap<object, boolean>();

/** True when a template holds no `{% %}` at all: it is its own value. */
function isStatic(template: unknown): boolean {
  if (typeof template === 'string') return jsonataExpression(template) === undefined;
  if (typeof template !== 'object' || template === null) return true;
  let known = staticTemplates.get(template);
  if (known === undefined) {
    known = Object.values(template).every(isStatic);
    staticTemplates.set(template, known);
  }
  return known;
}

export async function evaluateTemplate(template: unknown, field: string, scope: JsonataScope): Promise<unknown> {
  if (typeof template === 'object' && template !== null && isStatic(template)) return template;
  const expression = jsonataExpression(template);
  if (expression !== undefined) return evaluateJsonata(expression, field, scope);
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (let i = 0; i < template.length; i++) out.push(await evaluateTemplate(template[i], `${field}[${i}]`, scope));
    return out;
  }
  if (typeof template === 'object' && template !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = await evaluateTemplate(v, `${field}/${k}`, scope);
    return out;
  }
  return template;
}
