/**
 * Differential test: the JSONPath conformance cases that expect success, run on our engine and on
 * aws-local-stepfunctions (kept as a test oracle only). Where both engines agree with the recorded
 * or documented AWS outcome, nothing to say; every case where aws-local-stepfunctions differs is
 * listed below with the reason, so the list cannot silently grow or shrink.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConformanceCase } from './conformance/case';
import { requireOracle } from '../../bench/oracle/load';
import { execute } from '../../src/engine';

// Installed on first use in a folder of its own (bench/oracle/load.ts).
type Oracle = { StateMachine: new (d: unknown, o?: unknown) => { run(input: unknown, o?: unknown): { result: Promise<unknown> } } };
const { StateMachine } = requireOracle() as Oracle;

const dir = path.join(__dirname, 'conformance');
const FILES = ['jsonpath-io.cases.ts', 'choice.cases.ts', 'intrinsics.cases.ts'];

/** Where aws-local-stepfunctions differs from AWS (and from us), by case name, with the reason. */
const KNOWN_DIVERGENCES: Record<string, string> = {
  'Wildcard or slice $[*] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.items[*] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.items[1:] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.items[:1] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.item.items[*] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.item.items[1:] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.item.items[:1] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.item.items[1:5] on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.items[*].itemValue on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.items[1:].itemValue on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.items[:1].itemValue on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Wildcard or slice $.item.items[1:5].itemValue on an empty input gives []': 'a path that can select several nodes and selects none fails instead of giving []',
  'Filter with no match gives []': 'a filter that matches nothing fails instead of giving []',
  'Negative index [-1] picks the last item': 'negative indexes are refused',
  'StringMatches: 5 vs "*" is false': 'StringMatches on a number fails instead of being false',
  'IsNull: 0 vs false is true': 'Is* tests with false always evaluate false',
  'IsNumeric: null vs false is true': 'Is* tests with false always evaluate false',
  'IsString: [] vs false is true': 'Is* tests with false always evaluate false',
  'IsBoolean: null vs false is true': 'Is* tests with false always evaluate false',
  'IsTimestamp: 1 vs false is true': 'Is* tests with false always evaluate false',
  'IsPresent false on a missing field is true': 'Is* tests with false always evaluate false',
  'ResultPath $ replaces the input with the result': 'ResultPath "$" writes a key named $ instead of replacing the input',
  'States.StringToJson of an empty string is null': 'an empty string fails instead of giving null',
  'States.StringToJson of a blank string is null': 'a blank string fails instead of giving null',
  'States.JsonMerge does not change its arguments': 'States.JsonMerge modifies its first argument in place',
  'States.MathAdd rounds 1.49 down and 1.5 up': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.MathAdd rounds 1.5 and 1.51 up': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.MathAdd rounds -1.49 and -1.5 towards zero': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.MathAdd rounds -1.51 away from zero': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.MathAdd rounds half up: 2.5 + 0 = 3': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.MathAdd rounds half up: -2.5 + 0 = -2': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.MathAdd(-0.5, 0.5) is 1': 'States.MathAdd adds decimals instead of rounding each argument half up',
  'States.StringSplit drops empty pieces': 'States.StringSplit keeps empty pieces',
  'States.StringSplit of delimiters only is empty': 'States.StringSplit keeps empty pieces',
  'States.StringSplit splits on each delimiter character': 'States.StringSplit splits on the whole delimiter string, not on each of its characters',
  'States.StringSplit on a letter and a newline': 'States.StringSplit splits on the whole delimiter string, not on each of its characters',
  'States.Format writes an object as {key=value}': 'States.Format refuses object arguments',
  'States.Format with escaped braces, quote and backslash': 'States.Format drops an escaped backslash',
};

function eligible(c: ConformanceCase): boolean {
  const text = JSON.stringify(c.definition);
  return c.expect.status === 'SUCCEEDED' && 'output' in c.expect && !c.tasks && !c.options
    && !text.includes('JSONata') && !text.includes('"Assign"') && !text.includes('$$.') && !text.includes('States.UUID') && !text.includes('States.MathRandom');
}

async function oracle(c: ConformanceCase): Promise<{ ok: true; output: unknown } | { ok: false; error: string }> {
  try {
    const machine = new StateMachine(c.definition, { validationOptions: { noValidate: true } });
    const output = await machine.run(JSON.parse(JSON.stringify(c.input ?? {})), { overrides: {} }).result;
    return { ok: true, output: JSON.parse(JSON.stringify(output ?? null)) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cases = FILES.flatMap(f => (require(path.join(dir, f)).cases as ConformanceCase[])).filter(eligible);

test('the differential set is large enough to mean something', () => {
  expect(fs.existsSync(dir)).toBe(true);
  expect(cases.length).toBeGreaterThanOrEqual(100);
});

test('aws-local-stepfunctions agrees with our engine (and AWS) except where listed', async () => {
  const differ: Record<string, string> = {};
  for (const c of cases) {
    const ours = await execute(c.definition, { input: c.input ?? {}, startTime: new Date('2024-01-01T00:00:00Z') });
    expect(ours.output).toEqual(c.expect.output);
    const theirs = await oracle(c);
    if (!theirs.ok) differ[c.name] = `fails: ${theirs.error.slice(0, 80)}`;
    else if (JSON.stringify(theirs.output) !== JSON.stringify(ours.output)) differ[c.name] = `outputs ${JSON.stringify(theirs.output).slice(0, 80)}`;
  }
  if (process.env.SHOW_DIFF) console.log(JSON.stringify(differ, null, 1));
  expect(Object.keys(differ).sort()).toEqual(Object.keys(KNOWN_DIVERGENCES).sort());
});
