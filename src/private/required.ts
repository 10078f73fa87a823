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
