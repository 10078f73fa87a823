/**
 * Choice rules in JSONPath states: comparisons, `Is*` tests (with `true` and `false`), And/Or/Not.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import { StatesError } from './errors';

/** Looks a path up: `{ found: false }` when it names nothing. */
export type Lookup = (path: string) => { found: boolean; value?: unknown };

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v !== 'string' || !ISO_TIMESTAMP.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal. */
export function stringMatches(value: string, pattern: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '*') {re += '[\\s\\S]*';} else {re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');}
  }
  return new RegExp(re + '$').test(value);
}

const TYPE_TESTS: Record<string, (found: boolean, v: unknown) => boolean> = {
  IsPresent: found => found,
  IsNull: (found, v) => found && v === null,
  IsString: (found, v) => found && typeof v === 'string',
  IsNumeric: (found, v) => found && typeof v === 'number',
  IsBoolean: (found, v) => found && typeof v === 'boolean',
  IsTimestamp: (found, v) => found && parseTimestamp(v) !== undefined,
};

type Compare = (a: unknown, b: unknown) => boolean;
const cmp = <T>(guard: (v: unknown) => v is T, fn: (a: T, b: T) => boolean): Compare => (a, b) => guard(a) && guard(b) && fn(a, b);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const ts = (fn: (a: number, b: number) => boolean): Compare => (a, b) => {
  const x = parseTimestamp(a);
  const y = parseTimestamp(b);
  return x !== undefined && y !== undefined && fn(x, y);
};

const COMPARATORS: Record<string, Compare> = {
  StringEquals: cmp(isStr, (a, b) => a === b),
  StringLessThan: cmp(isStr, (a, b) => a < b),
  StringGreaterThan: cmp(isStr, (a, b) => a > b),
  StringLessThanEquals: cmp(isStr, (a, b) => a <= b),
  StringGreaterThanEquals: cmp(isStr, (a, b) => a >= b),
  StringMatches: cmp(isStr, (a, b) => stringMatches(a, b)),
  NumericEquals: cmp(isNum, (a, b) => a === b),
  NumericLessThan: cmp(isNum, (a, b) => a < b),
  NumericGreaterThan: cmp(isNum, (a, b) => a > b),
  NumericLessThanEquals: cmp(isNum, (a, b) => a <= b),
  NumericGreaterThanEquals: cmp(isNum, (a, b) => a >= b),
  BooleanEquals: cmp(isBool, (a, b) => a === b),
  TimestampEquals: ts((a, b) => a === b),
  TimestampLessThan: ts((a, b) => a < b),
  TimestampGreaterThan: ts((a, b) => a > b),
  TimestampLessThanEquals: ts((a, b) => a <= b),
  TimestampGreaterThanEquals: ts((a, b) => a >= b),
};

/** Evaluates one JSONPath Choice rule. A Variable that names nothing is a States.Runtime error, except for IsPresent. */
export function evaluateRule(rule: any, lookup: Lookup): boolean {
  if (rule.And) return (rule.And as any[]).every(r => evaluateRule(r, lookup));
  if (rule.Or) return (rule.Or as any[]).some(r => evaluateRule(r, lookup));
  if (rule.Not) return !evaluateRule(rule.Not, lookup);
  const operator = Object.keys(rule).find(k => k in TYPE_TESTS || k in COMPARATORS || (k.endsWith('Path') && k.slice(0, -4) in COMPARATORS));
  if (!operator) throw new StatesError('States.Runtime', `a Choice rule has no comparison operator: ${JSON.stringify(rule)}`);
  const variable = lookup(rule.Variable);
  if (operator in TYPE_TESTS) {
    const result = TYPE_TESTS[operator](variable.found, variable.value);
    return rule[operator] === false ? !result : result;
  }
  if (!variable.found) {
    throw new StatesError('States.Runtime', `Invalid path '${rule.Variable}': The choice state's condition path references an invalid value.`);
  }
  let expected = rule[operator];
  let compare = COMPARATORS[operator];
  if (operator.endsWith('Path') && !(operator in COMPARATORS)) {
    const other = lookup(expected);
    if (!other.found) {
      throw new StatesError('States.Runtime', `Invalid path '${expected}': The choice state's condition path references an invalid value.`);
    }
    expected = other.value;
    compare = COMPARATORS[operator.slice(0, -4)];
  }
  return compare(variable.value, expected);
}


