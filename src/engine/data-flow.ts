/**
 * Data between states: JSONPath input and output processing (InputPath, Parameters, ResultSelector,
 * ResultPath, OutputPath), JSONata templates, and workflow variables (Assign).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import { StatesError } from './errors';
import { evaluateIntrinsic, isIntrinsic, parseIntrinsic, Randomness } from './intrinsics';
import { parsePath, ParsedPath, queryPath, setAtPath, Segment } from './json-path';
import { evaluateTemplate, JsonataScope } from './jsonata';

/** The 256 KiB limits of a payload and of one Assign. */
const MAX_BYTES = 262_144;
/** What all of an execution's variables may hold together. */
const MAX_TOTAL_VARIABLE_BYTES = 10 * 1024 * 1024;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

/**
 * Workflow variables. A Parallel branch or Map iteration reads its parents' variables; what it
 * assigns stays in its own scope.
 */
export class Variables {
  private readonly values = new Map<string, unknown>();
  private snapshot?: Record<string, unknown>;
  private readonly sizes = new Map<string, number>();
  private ownBytes = 0;

  constructor(private readonly parent?: Variables) {}

  child(): Variables {
    return new Variables(this);
  }

  get(name: string): { found: boolean; value?: unknown } {
    if (this.values.has(name)) return { found: true, value: this.values.get(name) };
    return this.parent ? this.parent.get(name) : { found: false };
  }

  /** Every visible variable, inner ones winning (a scope's parents do not change while it runs). */
  all(): Record<string, unknown> {
    this.snapshot ??= { ...(this.parent?.all() ?? {}), ...Object.fromEntries(this.values) };
    return this.snapshot;
  }

  assign(values: Record<string, unknown>, state: string): void {
    // The Assign as JSON text: braces, and each "name":value with a comma between two.
    let together = 1;
    const sizes = new Map<string, number>();
    for (const [name, value] of Object.entries(values)) {
      if (!VARIABLE_NAME.test(name)) {
        throw new StatesError('States.Runtime', `The variable name '${name}' assigned in state '${state}' is not valid (letters, digits and underscores, not starting with a digit).`);
      }
      if (name === 'states') throw new StatesError('States.Runtime', `The variable name 'states' assigned in state '${state}' is reserved.`);
      const size = sizeOf(value);
      if (size > MAX_BYTES) throw new StatesError('States.Runtime', `The variable '${name}' assigned in state '${state}' is larger than 256 KiB.`);
      sizes.set(name, size);
      together += size + name.length + 4;
    }
    if (together > MAX_BYTES) throw new StatesError('States.Runtime', `The variables assigned in state '${state}' together are larger than 256 KiB.`);
    for (const [name, value] of Object.entries(values)) {
      this.ownBytes += sizes.get(name)! - (this.sizes.get(name) ?? 0);
      this.sizes.set(name, sizes.get(name)!);
      this.values.set(name, value);
    }
    this.snapshot = undefined;
    if (this.totalBytes() > MAX_TOTAL_VARIABLE_BYTES) {
      throw new StatesError('States.Runtime', `The execution's variables are larger than 10 MiB after state '${state}'.`);
    }
  }

  /** Bytes of every visible variable (an upper bound where an inner variable hides an outer one). */
  private totalBytes(): number {
    return this.ownBytes + (this.parent?.totalBytes() ?? 0);
  }

}

/** What JSONPath paths resolve against. */
export interface PathScope {
  readonly input: unknown;
  readonly context: Record<string, unknown>;
  readonly variables: Variables;
  readonly random: Randomness;
}

/** The same scope over another input; the context object is still built only when read. */
function withInput(scope: PathScope, input: unknown): PathScope {
  return {
    input,
    get context() {
      return scope.context;
    },
    variables: scope.variables,
    random: scope.random,
  };
}

/** `$['a']['b']`, as AWS prints a path in its errors. */
function canonical(segments: Segment[]): string {
  return '$' + segments.map(s => (s.kind === 'name' ? `['${s.name}']` : s.kind === 'index' ? `[${s.index}]` : '[*]')).join('');
}

export class DataFlow {
  /** A path's value: `{ found: false }` when it names nothing. */
  lookup(text: string, scope: PathScope): { found: boolean; value?: unknown } {
    const path = parsePath(text);
    return this.query(path, scope);
  }

  private query(path: ParsedPath, scope: PathScope): { found: boolean; value?: unknown } {
    if (path.root === 'context') return queryPath(path, scope.context);
    if (path.root === 'variable') {
      const v = scope.variables.get(path.variable!);
      if (!v.found) {
        throw new StatesError('States.Runtime', `The variable '$${path.variable}' is not defined (referenced by '${path.text}').`);
      }
      return queryPath(path, v.value);
    }
    return queryPath(path, scope.input);
  }

  /** A path that must name something (InputPath, OutputPath, ItemsPath...), with AWS's error text. */
  required(text: string, _field: string, scope: PathScope): unknown {
    const path = parsePath(text);
    const hit = this.query(path, scope);
    if (hit.found) return hit.value;
    throw new StatesError('States.Runtime', `Invalid path '${text}' : ${this.missing(path, scope)}`);
  }

  private missing(path: ParsedPath, scope: PathScope): string {
    const root = path.root === 'context' ? scope.context : path.root === 'variable' ? scope.variables.get(path.variable!).value : scope.input;
    let node: unknown = root;
    for (let i = 0; i < path.segments.length; i++) {
      const seg = path.segments[i];
      const next = queryPath({ ...path, segments: [seg] }, node);
      if (!next.found) {
        const upTo = canonical(path.segments.slice(0, i + 1));
        return i === path.segments.length - 1 ? `No results for path: ${upTo}` : `Missing property in path ${upTo}`;
      }
      node = next.value;
    }
    return `No results for path: ${canonical(path.segments)}`;
  }

  inputPath(path: string | null | undefined, input: unknown, scope: PathScope): unknown {
    if (path === undefined) return input;
    if (path === null) return {};
    return this.required(path, 'InputPath', scope);
  }

  outputPath(path: string | null | undefined, data: unknown, scope: PathScope): unknown {
    if (path === undefined) return data;
    if (path === null) return {};
    // A scope's fields may be getters (the context object is built when read): never spread it.
    return this.required(path, 'OutputPath', withInput(scope, data));
  }

  resultPath(path: string | null | undefined, rawInput: unknown, result: unknown): unknown {
    if (path === undefined) return result;
    if (path === null) return rawInput;
    const parsed = parsePath(path);
    if (parsed.root !== 'input') throw new StatesError('States.Runtime', `ResultPath '${path}' must start with $. (got a context or variable path)`);
    const written = setAtPath(parsed, rawInput, result);
    if (!written.ok) {
      throw new StatesError('States.ResultPathMatchFailure', `Unable to apply ResultPath '${path}' to input ${JSON.stringify(rawInput)}: ${written.reason}`);
    }
    return written.value;
  }

  /** A `.$` value: a path or an intrinsic function. */
  dynamic(text: unknown, field: string, scope: PathScope): unknown {
    if (typeof text !== 'string') {
      throw new StatesError('States.Runtime', `The value of the field '${field}' must be a path or an intrinsic function (got ${JSON.stringify(text)})`);
    }
    if (isIntrinsic(text)) {
      const call = parseIntrinsic(text);
      return evaluateIntrinsic(call, path => {
        const hit = this.query(path, scope);
        if (!hit.found) {
          throw new StatesError('States.Runtime', `The JSONPath '${path.text}' specified for the field '${field}' could not be found in the input '${JSON.stringify(scope.input)}'`);
        }
        return hit.value;
      }, scope.random);
    }
    const path = parsePath(text);
    const hit = this.query(path, scope);
    if (!hit.found) {
      throw new StatesError('States.Runtime', `The JSONPath '${text}' specified for the field '${field}' could not be found in the input '${JSON.stringify(scope.input)}'`);
    }
    return hit.value;
  }

  /** Parameters, ResultSelector, ItemSelector: a template whose `.$` fields are evaluated. */
  payloadTemplate(template: unknown, field: string, scope: PathScope): unknown {
    if (Array.isArray(template)) return template.map(v => this.payloadTemplate(v, field, scope));
    if (typeof template !== 'object' || template === null) return template;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      if (key.endsWith('.$')) out[key.slice(0, -2)] = this.dynamic(value, key, scope);
      else out[key] = this.payloadTemplate(value, field, scope);
    }
    return out;
  }

  /** ErrorPath, CausePath: a path or intrinsic whose value must be a string. */
  stringField(text: string, field: string, scope: PathScope): string {
    const value = isIntrinsic(text) ? this.dynamic(text, field, scope) : (() => {
      const hit = this.lookup(text, scope);
      if (!hit.found) {
        throw new StatesError('States.Runtime', `The JSONPath '${text}' specified for the field '${field}' could not be found in the input '${JSON.stringify(scope.input)}'`);
      }
      return hit.value;
    })();
    if (typeof value !== 'string') {
      throw new StatesError('States.Runtime', `The JSONPath '${text}' specified for the field '${field}' must resolve to a string (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  /** A JSONPath state's Assign: values are templates like Parameters. */
  assignJsonPath(assign: Record<string, unknown>, scope: PathScope): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(assign)) {
      if (key.endsWith('.$')) out[key.slice(0, -2)] = this.dynamic(value, `Assign/${key}`, scope);
      else out[key] = this.payloadTemplate(value, 'Assign', scope);
    }
    return out;
  }

  /** A JSONata state's Assign: every `{% %}` evaluated, against the values from before the assignment. */
  async assignJsonata(assign: Record<string, unknown>, scope: JsonataScope): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(assign)) out[key] = await evaluateTemplate(value, `Assign/${key}`, scope);
    return out;
  }

  template(template: unknown, field: string, scope: JsonataScope): Promise<unknown> {
    return evaluateTemplate(template, field, scope);
  }
}

/** A JSON value's type, as AWS names it in its messages: `null`, `array`, `object`, `string`... */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
