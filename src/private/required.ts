/**
 * Checks of required values. TypeScript enforces them at compile time, but plain JavaScript and the
 * other jsii languages can leave them out; without these checks the user gets a TypeError from deep
 * inside the library instead of the library's message.
 */

/**
 * The value, or an error that names where it was needed, what was received and what to give:
 * `ItemSource.s3Csv: bucket is required (got undefined); give the bucket that holds the CSV object`.
 */
export function required<T>(value: T | undefined | null, where: string, name: string, fix: string): T {
  if (value === undefined || value === null) {
    throw new Error(`${where}: ${name} is required (got ${value}); ${fix}`);
  }
  return value;
}

/**
 * The props of a construct whose props have required fields, or an error that lists those fields:
 * `FanOutMap 'Import': props are required (got undefined); give at least { items, processor }`.
 */
export function requiredProps<T>(props: T | undefined | null, where: string, fields: string[]): T {
  if (props === undefined || props === null) {
    throw new Error(`${where}: props are required (got ${props}); give at least { ${fields.join(', ')} }`);
  }
  return props;
}

/** How a value that is not what a prop takes reads in a message: its type and, when short, its value. */
export function shown(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    // (aws-cdk-lib's classes may carry a numbered name, StateMachine2: the class a user knows is without it.)
    const name = (value as object).constructor?.name?.replace(/\d+$/, '');
    return name && name !== 'Object' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
  }
  const text = JSON.stringify(value);
  return text !== undefined && text.length <= 60 ? `${typeof value} ${text}` : typeof value;
}

/**
 * A prop that takes an instance of a class (a `Duration`, an enum-like class such as `WorkflowType`),
 * or an error that names the construct, the prop, what was given and what to write:
 * `Workflow 'Quotes': type must be a WorkflowType (got string "EXPRESS"); write type: WorkflowType.express()`.
 * Undefined passes: optional props are checked by their defaults.
 */
export function instanceOf<T>(
  value: unknown, type: { readonly prototype: T; readonly name: string }, where: string, name: string, fix: string,
): T | undefined {
  if (value === undefined) return undefined;
  // A class with a private constructor (Duration, the enum-like classes) is still a function instanceof can test.
  const article = /^[AEIOU]/.test(type.name) ? 'an' : 'a';
  if (!(value instanceof (type as unknown as new () => T))) throw new Error(`${where}: ${name} must be ${article} ${type.name} (got ${shown(value)}); write ${fix}`);
  return value as T;
}

/**
 * A prop that takes a list of strings, or an error that says so (a single string would otherwise be
 * taken character by character): `ApprovalGate 'Approve': approverEmails must be a list of strings
 * (got string "a@example.com"); write approverEmails: ['a@example.com']`.
 */
export function stringList(value: unknown, where: string, name: string, example: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    const fix = typeof value === 'string' ? `${name}: [${JSON.stringify(value).replace(/"/g, "'")}]` : `${name}: ${example}`;
    throw new Error(`${where}: ${name} must be a list of strings (got ${Array.isArray(value) ? `a list holding ${shown(value.find(v => typeof v !== 'string'))}` : shown(value)}); write ${fix}`);
  }
  return value;
}

/** How to write a Duration a plain JavaScript caller gave as a number (of seconds, say). */
export function durationFix(name: string, given: unknown): string {
  return `${name}: Duration.seconds(${typeof given === 'number' && Number.isFinite(given) ? given : 3600}) (or Duration.minutes(...), Duration.hours(...))`;
}

/**
 * A prop that takes a state or a chain (`sfn.IChainable`), or an error that says what was given:
 * `TryFinally 'Place order': body must be a state or a chain of states (got string "Charge"); write body: new sfn.Pass(this, 'Charge')`.
 */
export function chainableOf<T>(value: T, where: string, name: string, example: string): T {
  const v = value as unknown as { startState?: unknown; endStates?: unknown };
  if (value !== undefined && value !== null && !(v && typeof v === 'object' && v.startState && Array.isArray(v.endStates))) {
    throw new Error(`${where}: ${name} must be a state or a chain of states (sfn.IChainable) (got ${shown(value)}); write ${name}: ${example}`);
  }
  return value;
}

/**
 * A prop that takes a Lambda function (`lambda.IFunction`), or an error that says what was given: an
 * ARN string, say, which an imported function wraps.
 */
export function functionOf<T>(value: T, where: string, name: string): T {
  const v = value as unknown as { functionArn?: unknown; grantInvoke?: unknown };
  if (value !== undefined && value !== null && !(v && typeof v === 'object' && typeof v.functionArn === 'string' && typeof v.grantInvoke === 'function')) {
    const fix = typeof value === 'string' && value.startsWith('arn:')
      ? `lambda.Function.fromFunctionArn(this, 'Fn', '${value}')` : 'a lambda.Function, or lambda.Function.fromFunctionArn(this, \'Fn\', arn)';
    throw new Error(`${where}: ${name} must be a Lambda function (lambda.IFunction) (got ${shown(value)}); write ${name}: ${fix}`);
  }
  return value;
}
