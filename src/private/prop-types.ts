/**
 * The types of every public prop, checked at run time for callers TypeScript does not check (plain
 * JavaScript, and every jsii language, which pass what they like): read from the library's own jsii
 * assembly (`.jsii`, shipped in the package), so that every prop of every props struct is covered,
 * including the ones added later. A prop of the wrong type gets one message that names the construct,
 * the prop, what was given and what to write, instead of an internal TypeError deep in aws-cdk-lib or
 * a value that passes silently.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { closest } from './closest';

interface TypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef };
  readonly union?: { readonly types: TypeRef[] };
}
interface JsiiProperty { readonly name: string; readonly type: TypeRef; readonly static?: boolean }
interface JsiiMethod { readonly name: string; readonly static?: boolean; readonly returns?: { readonly type: TypeRef } }
interface JsiiType {
  readonly kind: 'class' | 'interface' | 'enum';
  readonly fqn: string;
  readonly name: string;
  readonly datatype?: boolean;
  readonly interfaces?: string[];
  readonly properties?: JsiiProperty[];
  readonly methods?: JsiiMethod[];
  readonly base?: string;
  readonly members?: Array<{ readonly name: string }>;
}

const ASSEMBLY = 'cdk-workflow-patterns';

/** How a value that is not what a prop takes reads in a message: its type and, when short, its value. */
function shown(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    // (aws-cdk-lib's classes may carry a numbered name, StateMachine2: the class a user knows is without it.)
    const name = (value as object).constructor?.name?.replace(/\d+$/, '');
    return name && name !== 'Object' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
  }
  const text = JSON.stringify(value);
  return text !== undefined && text.length <= 60 ? `${typeof value} ${text}` : typeof value;
}

let types: Record<string, JsiiType> | null | undefined;
/** The assembly's types; null where there is none (the sources run before their first compilation). */
function assembly(): Record<string, JsiiType> | null {
  if (types === undefined) {
    try {
      types = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.jsii'), 'utf8')).types;
    } catch {
      types = null;
    }
  }
  return types ?? null;
}

/**
 * Checks the props given to a construct or method against the props struct `struct` (its name in
 * the assembly, `WorkflowProps`), and the structs inside it.
 * @param owner names the caller in the message: `Workflow 'Orders'`, `SagaStep.lambda('Pay')`
 */
export function checkProps(owner: string, struct: string, props: unknown): void {
  const all = assembly();
  const type = all?.[`${ASSEMBLY}.${struct}`];
  if (!all || !type || props === undefined || props === null) return;
  checkStruct(all, owner, '', type, props);
}

/**
 * Checks one argument that is not a props struct (a positional `fn`, a `definition`) against an
 * aws-cdk-lib type, with the same messages as the props' fields.
 * @param fqn the type, such as `aws-cdk-lib.aws_lambda.IFunction`
 * @param example what to write instead, when the type's usual example does not fit the caller
 */
export function checkValue(owner: string, name: string, fqn: string, value: unknown, example?: string): void {
  if (value === undefined || value === null) return;
  const problem = mismatch(assembly() ?? {}, { fqn }, value);
  if (problem && problem !== 'struct') {
    const fix = example ?? problem.fix;
    throw new Error(`${owner}: ${name} must be ${problem.expected} (got ${shown(value)})${fix ? `; write ${name}: ${fix}` : ''}`);
  }
}

function checkStruct(all: Record<string, JsiiType>, owner: string, at: string, type: JsiiType, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || cdk.Token.isUnresolved(value)) {
    throw new Error(`${owner}: ${at || 'props'} must be an object of ${type.name} fields, such as { ... } (got ${shown(value)})`);
  }
  checkKnownKeys(all, owner, at, type, value as Record<string, unknown>);
  for (const property of propertiesOf(all, type)) {
    const given = (value as Record<string, unknown>)[property.name];
    if (given === undefined || given === null) continue;
    const name = at ? `${at}.${property.name}` : property.name;
    const problem = mismatch(all, property.type, given);
    if (problem === 'struct') {
      checkStruct(all, owner, name, all[property.type.fqn!], given);
    } else if (problem) {
      throw new Error(`${owner}: ${name} must be ${problem.expected} (got ${shown(given)})${problem.fix ? `; write ${property.name}: ${problem.fix}` : ''}`);
    }
  }
}

/**
 * Refuses a key the struct does not have: a misspelled prop (`workflowType` for `type`) would
 * otherwise be ignored, and the construct built with the default in its place.
 */
function checkKnownKeys(all: Record<string, JsiiType>, owner: string, at: string, type: JsiiType, value: Record<string, unknown>): void {
  const known = new Set(propertiesOf(all, type).map(p => p.name));
  const unknown = Object.keys(value).filter(key => !known.has(key) && value[key] !== undefined);
  if (unknown.length === 0) return;
  // Fields of the aws-cdk-lib structs it extends (TaskStateBaseProps...): those of the lowest aws-cdk-lib in the peer range, and,
  // for a key not among them, those of the installed aws-cdk-lib's own assembly (a newer one may have more).
  const bases = externalBases(all, type);
  for (const base of bases) for (const name of KNOWN_EXTERNAL_FIELDS[base] ?? []) known.add(name);
  if (unknown.some(key => !known.has(key))) for (const base of bases) for (const name of externalFields(base)) known.add(name);
  const strange = unknown.filter(key => !known.has(key));
  if (strange.length === 0) return;
  const key = strange[0];
  const guess = closest(key, [...known]);
  throw new Error(`${owner}: ${at ? `${at}.` : ''}${key} is not a field of ${type.name}${guess ? `; did you mean ${guess}?` : ''} `
    + `(its fields: ${[...known].sort().join(', ')})`);
}

/** The fields of the aws-cdk-lib structs this library's structs extend, in aws-cdk-lib 2.245 (test/api checks them against its assembly). */
export const KNOWN_EXTERNAL_FIELDS: Record<string, string[]> = {
  'aws-cdk-lib.aws_stepfunctions.TaskStateBaseProps': [
    'assign', 'comment', 'credentials', 'heartbeat', 'heartbeatTimeout', 'inputPath', 'integrationPattern', 'outputPath', 'outputs',
    'queryLanguage', 'resultPath', 'resultSelector', 'stateName', 'taskTimeout', 'timeout',
  ],
  'aws-cdk-lib.aws_stepfunctions_tasks.LambdaInvokeProps': [
    'assign', 'clientContext', 'comment', 'credentials', 'heartbeat', 'heartbeatTimeout', 'inputPath', 'integrationPattern', 'invocationType',
    'lambdaFunction', 'outputPath', 'outputs', 'payload', 'payloadResponseOnly', 'qualifier', 'queryLanguage', 'resultPath', 'resultSelector',
    'retryOnServiceExceptions', 'stateName', 'taskTimeout', 'timeout',
  ],
};

/** The aws-cdk-lib structs a struct of this assembly extends, directly or through its bases. */
function externalBases(all: Record<string, JsiiType>, type: JsiiType): string[] {
  return (type.interfaces ?? []).flatMap(base => (all[base] ? externalBases(all, all[base]) : [base]));
}

let cdkTypes: Record<string, JsiiType> | null | undefined;
/** The field names of an aws-cdk-lib struct, from the installed aws-cdk-lib's assembly (and its bases). */
function externalFields(fqn: string): string[] {
  if (cdkTypes === undefined) {
    try {
      const dir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
      const file = path.join(dir, '.jsii.gz');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const text = fs.existsSync(file) ? require('zlib').gunzipSync(fs.readFileSync(file)).toString('utf8') : fs.readFileSync(path.join(dir, '.jsii'), 'utf8');
      cdkTypes = JSON.parse(text).types ?? null;
    } catch {
      cdkTypes = null;
    }
  }
  const type = cdkTypes?.[fqn];
  if (!type) return [];
  return [...(type.properties ?? []).map(p => p.name), ...(type.interfaces ?? []).flatMap(externalFields)];
}

/** A struct's own fields and those of the structs it extends (in this assembly). */
function propertiesOf(all: Record<string, JsiiType>, type: JsiiType): JsiiProperty[] {
  const inherited = (type.interfaces ?? []).flatMap(base => (all[base] ? propertiesOf(all, all[base]) : []));
  return [...(type.properties ?? []).filter(p => !p.static), ...inherited];
}

interface Mismatch { readonly expected: string; readonly fix?: string }

const article = (name: string) => (/^[AEIOU]/.test(name) ? 'an' : 'a');

/** Undefined when `value` fits `ref`; 'struct' when it is an object to check field by field; else what was expected. */
function mismatch(all: Record<string, JsiiType>, ref: TypeRef, value: unknown): Mismatch | 'struct' | undefined {
  // A token stands for a value CloudFormation or a later phase fills in: not ours to check.
  if (cdk.Token.isUnresolved(value)) return undefined;
  if (ref.union) {
    const results = ref.union.types.map(t => mismatch(all, t, value));
    return results.some(r => r === undefined || r === 'struct') ? undefined : { expected: results.map(r => (r as Mismatch).expected).join(' or ') };
  }
  if (ref.primitive) {
    switch (ref.primitive) {
      case 'string': return typeof value === 'string' ? undefined : { expected: 'a string', fix: typeof value === 'number' ? `'${value}'` : undefined };
      case 'number': return typeof value === 'number' && !Number.isNaN(value) ? undefined : { expected: 'a number', fix: typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? value : undefined };
      case 'boolean': return typeof value === 'boolean' ? undefined : { expected: 'true or false' };
      case 'date': return value instanceof Date ? undefined : { expected: 'a Date' };
      default: return undefined;
    }
  }
  if (ref.collection) {
    const isArray = ref.collection.kind === 'array';
    const element = describe(all, ref.collection.elementtype);
    if (isArray && !Array.isArray(value)) {
      // One value where a list goes: the list of that one value, when it is a list of strings.
      const fix = ref.collection.elementtype.primitive === 'string' && typeof value === 'string' ? `['${value}']` : `[${element.example}]`;
      return { expected: `a list of ${element.plural}`, fix };
    }
    if (!isArray && (typeof value !== 'object' || Array.isArray(value))) return { expected: 'an object (a map)' };
    for (const [key, item] of Object.entries(value as object)) {
      const problem = mismatch(all, ref.collection.elementtype, item);
      if (problem && problem !== 'struct') {
        return isArray
          ? { expected: `a list of ${element.plural} (its element ${key} is ${shown(item)})`, fix: `[${element.example}]` }
          : { expected: `an object of ${element.plural} by name (its value ${key} is ${shown(item)})`, fix: `{ ${key}: ${element.example} }` };
      }
    }
    return undefined;
  }
  if (!ref.fqn) return undefined;
  const own = all[ref.fqn];
  if (own) {
    if (own.kind === 'interface') {
      if (typeof value !== 'object' || Array.isArray(value)) return { expected: `${article(own.name)} ${own.name}${own.datatype ? ' (an object of its fields)' : ''}` };
      return own.datatype ? 'struct' : undefined;
    }
    if (own.kind === 'enum') {
      // This library's enums have string values, their member names.
      const members = (own.members ?? []).map(m => m.name);
      return members.includes(value as string) ? undefined : { expected: `one of ${members.map(m => `${own.name}.${m}`).join(', ')}`, fix: `${own.name}.${members[0]}` };
    }
    return isInstanceOf(value, own.fqn, own.name) ? undefined
      : { expected: `${article(own.name)} ${own.name}`, fix: factoriesOf(own) ?? `new ${own.name}(this, 'Id', { ... })` };
  }
  const external = resolveExternal(ref.fqn);
  const name = ref.fqn.split('.').pop()!;
  if (typeof external === 'function') {
    return value instanceof (external as new () => unknown) ? undefined
      : { expected: `${article(name)} ${name}`, fix: name === 'Duration' ? `Duration.seconds(${typeof value === 'number' ? value : 60}) (or Duration.minutes(...), Duration.hours(...))` : undefined };
  }
  if (external && typeof external === 'object') {
    // An enum of aws-cdk-lib: one of its values.
    const values = Object.values(external as object);
    // Every value named, none suggested: the choice (a removal policy, say) is the caller's to make.
    const names = Object.keys(external as object).filter(k => Number.isNaN(Number(k))).map(k => `${name}.${k}`);
    return values.includes(value) ? undefined : { expected: `one of ${names.length > 6 ? `${names.slice(0, 6).join(', ')}...` : names.join(', ')}` };
  }
  // An interface of aws-cdk-lib (IFunction, ITopic, IChainable...): an object (of the interface's shape, where it is known).
  const known = KNOWN_INTERFACES[ref.fqn];
  if (typeof value === 'object' && !Array.isArray(value) && (known?.accepts ?? (() => true))(value as Record<string, unknown>)) return undefined;
  const arn = typeof value === 'string' && value.startsWith('arn:') ? value : undefined;
  return {
    expected: known ? known.expected : `${article(name)} ${name}`,
    fix: known?.fix(arn) ?? (arn ? `the construct imported from the ARN (${name.replace(/^I/, '')}.from...Arn(this, 'Id', '${arn}'))` : undefined),
  };
}

/** What the common interfaces of aws-cdk-lib are called in a message, and how to write one. */
const KNOWN_INTERFACES: Record<string, {
  readonly expected: string;
  readonly fix: (arn?: string) => string;
  /** Whether an object has the interface's shape. @default any object */
  readonly accepts?: (value: Record<string, unknown>) => boolean;
}> = {
  'aws-cdk-lib.aws_stepfunctions.IChainable': {
    expected: 'a state or a chain of states (sfn.IChainable)',
    accepts: v => Boolean(v.startState) && Array.isArray(v.endStates),
    fix: () => "new sfn.Pass(this, 'Start') (or a chain: first.next(second))",
  },
  'aws-cdk-lib.aws_lambda.IFunction': {
    expected: 'a Lambda function (lambda.IFunction)',
    accepts: v => typeof v.functionArn === 'string' && typeof v.grantInvoke === 'function',
    fix: arn => (arn ? `lambda.Function.fromFunctionArn(this, 'Fn', '${arn}')` : "a lambda.Function, or lambda.Function.fromFunctionArn(this, 'Fn', arn)"),
  },
  'aws-cdk-lib.aws_iam.IRole': { expected: 'an IAM role (iam.IRole)', fix: arn => `iam.Role.fromRoleArn(this, 'Role', '${arn ?? 'arn:aws:iam::...'}') (or an iam.Role)` },
  'aws-cdk-lib.aws_sns.ITopic': { expected: 'an SNS topic (sns.ITopic)', fix: arn => `sns.Topic.fromTopicArn(this, 'Topic', '${arn ?? 'arn:aws:sns:...'}') (or an sns.Topic)` },
  'aws-cdk-lib.aws_kms.IKey': { expected: 'a KMS key (kms.IKey)', fix: arn => `kms.Key.fromKeyArn(this, 'Key', '${arn ?? 'arn:aws:kms:...'}') (or a kms.Key)` },
  'aws-cdk-lib.aws_s3.IBucket': { expected: 'an S3 bucket (s3.IBucket)', fix: arn => `s3.Bucket.fromBucketArn(this, 'Bucket', '${arn ?? 'arn:aws:s3:::...'}') (or an s3.Bucket)` },
};

function describe(all: Record<string, JsiiType>, ref: TypeRef): { plural: string; example: string } {
  if (ref.primitive) return { plural: `${ref.primitive}s`, example: ref.primitive === 'string' ? "'...'" : '...' };
  const name = all[ref.fqn ?? '']?.name ?? ref.fqn?.split('.').pop() ?? 'value';
  const own = all[ref.fqn ?? ''];
  const factory = own ? factoriesOf(own)?.split(', ')[0] : undefined;
  return { plural: `${name}s`, example: factory ?? `${article(name)} ${name}` };
}

const RTTI = Symbol.for('jsii.rtti');

/**
 * Whether the value is an instance of this library's class `fqn`. The jsii type information that the
 * compiled classes carry says it; a class name alone can be changed by a bundler (`_WorkflowType`) or a
 * minifier, so an object that carries no type information and is not a plain object is let through.
 */
function isInstanceOf(value: unknown, fqn: string, name: string): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  let typed = false;
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const rtti = (proto.constructor as { [RTTI]?: { fqn?: string } } | undefined)?.[RTTI];
    if (rtti?.fqn === fqn) return true;
    if (rtti?.fqn) typed = true;
    if (proto.constructor?.name === name) return true;
  }
  return !typed && Object.getPrototypeOf(value) !== Object.prototype;
}

/** How to make an instance of one of this library's enum-like classes: its static factories. */
function factoriesOf(type: JsiiType): string | undefined {
  const factories = (type.methods ?? []).filter(m => m.static && m.returns?.type.fqn === type.fqn).map(m => `${type.name}.${m.name}(...)`);
  return factories.length > 0 ? factories.join(', ') : undefined;
}

/** A class or enum of aws-cdk-lib or constructs, as the installed packages export it; undefined for an interface. */
function resolveExternal(fqn: string): unknown {
  const [pkg, ...rest] = fqn.split('.');
  if (pkg !== 'aws-cdk-lib') return undefined;
  let at: any = cdk;
  for (const part of rest) at = at?.[part];
  return at;
}
