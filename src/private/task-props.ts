import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { checkValue } from './prop-types';

/**
 * Checks the fields of aws-cdk-lib's TaskStateBaseProps that a construct of this library takes (the
 * library's own assembly does not describe them): a wrong type would otherwise vanish from the ASL.
 */
export function checkTaskStateProps(where: string, props: unknown): void {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Error(`${where}: props must be an object of its fields, such as { ... } (got ${props === null ? 'null' : typeof props})`);
  }
  const p = props as Record<string, unknown>;
  // An sfn.Timeout is a plain object (Timeout.duration, .at, .jsonata): seconds, a path or an expression.
  for (const name of ['taskTimeout', 'heartbeatTimeout']) {
    const t = p[name] as Record<string, unknown> | undefined;
    if (t === undefined) continue;
    const valid = t !== null && typeof t === 'object' && !(t instanceof Duration)
      && (typeof t.seconds === 'number' || typeof t.path === 'string' || typeof t.jsonataExpression === 'string');
    if (!valid) {
      throw new Error(`${where}: ${name} must be an sfn.Timeout (got ${t === null ? 'null' : t instanceof Duration ? 'a Duration' : typeof t}); `
        + `write ${name}: sfn.Timeout.duration(Duration.minutes(5))`);
    }
  }
  for (const name of ['timeout', 'heartbeat']) checkValue(where, name, 'aws-cdk-lib.Duration', p[name]);
  for (const name of ['comment', 'stateName', 'inputPath', 'outputPath']) {
    if (p[name] !== undefined && typeof p[name] !== 'string') throw new Error(`${where}: ${name} must be a string (got ${typeof p[name]})`);
  }
  if (p.resultPath !== undefined && p.resultPath !== null && typeof p.resultPath !== 'string') {
    throw new Error(`${where}: resultPath must be a JSONPath string such as '$.result', or sfn.JsonPath.DISCARD (got ${typeof p.resultPath})`);
  }
  if (p.queryLanguage !== undefined && !Object.values(sfn.QueryLanguage).includes(p.queryLanguage as sfn.QueryLanguage)) {
    throw new Error(`${where}: queryLanguage must be sfn.QueryLanguage.JSON_PATH or sfn.QueryLanguage.JSONATA (got ${JSON.stringify(p.queryLanguage)})`);
  }
}

/** A number of retries: a whole number from 0. */
export function checkRetryAttempts(where: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 99999999) {
    throw new Error(`${where}: retryAttempts must be a whole number from 0 (no retry) to 99999999 (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** A JSONPath reference (sfn.JsonPath.stringAt...) given to a JSONata state: it would be sent as its text. */
export function refuseJsonPathInJsonata(where: string, name: string, value: unknown, jsonata: boolean): void {
  if (!jsonata || typeof value !== 'string' || !sfn.JsonPath.isEncodedJsonPath(value)) return;
  throw new Error(`${where}: ${name} is a JSONPath reference (sfn.JsonPath...), and the task is JSONata, where it would be sent as text; `
    + "write a JSONata expression, such as '{% $states.input.id %}'");
}
