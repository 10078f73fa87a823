/**
 * The Choice state: every comparison operator (true and false), the Is* type tests, And/Or/Not,
 * Default and States.NoChoiceMatched, comparisons across types; and the context object ($$).
 *
 * The operator cases rebuild the recorded machine: a Choice state comparing `$.Variable` with a
 * literal (or, for *Path operators, with `$.Value`), going to a Pass state whose literal Result is
 * `{"TestResult.$": "ConditionTrue"}` or `{"TestResult.$": "ConditionFalse"}`.
 */
import type { ConformanceCase } from './case';
import { LS } from './helpers';
import { TaskError } from '../../../src/engine';

const DOCS = 'https://docs.aws.amazon.com/step-functions/latest/dg/';
const CHOICE_DOC = `${DOCS}state-choice.html`;
const CONTEXT_DOC = `${DOCS}input-output-contextobject.html`;
const ERRORS_DOC = `${DOCS}concepts-error-handling.html`;

const OPS = (file: string, cls: string, test: string) =>
  `${LS}choice_operators/${file}.snapshot.json#tests/aws/services/stepfunctions/v2/choice_operators/${file}.py::${cls}::${test}`;
const STR = (t: string) => OPS('test_string_operators', 'TestStrings', t);
const NUM = (t: string) => OPS('test_numeric', 'TestNumerics', t);
const BOOL = (t: string) => OPS('test_boolean_equals', 'TestBooleanEquals', t);
const TS = (t: string) => OPS('test_timestamp_operators', 'TestTimestamps', t);
const IS = (t: string) => OPS('test_is_operators', 'TestIsOperators', t);
const SCEN = (t: string) =>
  `${LS}scenarios/test_base_scenarios.snapshot.json#tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.py::TestBaseScenarios::${t}`;
const CONTEXT = (t: string) =>
  `${LS}context_object/test_context_object.snapshot.json#tests/aws/services/stepfunctions/v2/context_object/test_context_object.py::TestSnfBase::${t}`;

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const LAMBDA = 'arn:aws:states:::lambda:invoke';

const TRUE = { 'TestResult.$': 'ConditionTrue' };
const FALSE = { 'TestResult.$': 'ConditionFalse' };

/** The recorded comparison machine; `literal` false compares with `$.Value` (the *Path operators). */
function comparison(op: string, value: unknown, literal: boolean): object {
  return {
    Comment: 'BASE_TEMPLATE',
    StartAt: 'CheckValues',
    States: {
      CheckValues: {
        Type: 'Choice',
        Choices: [{ Variable: '$.Variable', [op]: literal ? value : '$.Value', Next: 'ConditionTrue' }],
        Default: 'ConditionFalse',
      },
      ConditionTrue: { Type: 'Pass', Result: TRUE, End: true },
      ConditionFalse: { Type: 'Pass', Result: FALSE, End: true },
    },
  };
}

function cmp(op: string, source: string, variable: unknown, value: unknown, matches: boolean): ConformanceCase {
  const literal = !op.endsWith('Path');
  return {
    name: `${op}: ${JSON.stringify(variable)} vs ${JSON.stringify(value)} is ${matches}`,
    source,
    definition: comparison(op, value, literal),
    input: { Variable: variable, Value: value },
    expect: { status: 'SUCCEEDED', output: matches ? TRUE : FALSE },
  };
}

const T0 = '2012-10-09T19:00:55Z';
const T1 = '2012-10-09T19:00:56Z';

/** The Choice example of the documentation, as recorded. */
const DOCS_SCENARIO = {
  StartAt: 'ChoiceStateX',
  States: {
    ChoiceStateX: {
      Type: 'Choice',
      Choices: [
        { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
        { Variable: '$.value', NumericEquals: 0, Next: 'ValueIsZero' },
        {
          And: [
            { Variable: '$.value', NumericGreaterThanEquals: 20 },
            { Variable: '$.value', NumericLessThan: 30 },
          ],
          Next: 'ValueInTwenties',
        },
      ],
      Default: 'DefaultState',
    },
    Public: { Type: 'Pass', Result: 'Public', End: true },
    ValueIsZero: { Type: 'Pass', Result: 'ValueIsZero', End: true },
    ValueInTwenties: { Type: 'Pass', Result: 'ValueInTwenties', End: true },
    DefaultState: { Type: 'Fail', Cause: 'No Matches!' },
  },
};

/** A Choice with one rule, going to `Yes` or `No`, each passing its input on unchanged. */
function rule(r: object, extra: object = {}): object {
  return {
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...r, Next: 'Yes' }], Default: 'No', ...extra },
      Yes: { Type: 'Pass', Result: 'Yes', End: true },
      No: { Type: 'Pass', Result: 'No', End: true },
    },
  };
}

function ruleCase(name: string, source: string, r: object, input: unknown, yes: boolean): ConformanceCase {
  return { name, source, definition: rule(r), input, expect: { status: 'SUCCEEDED', output: yes ? 'Yes' : 'No' } };
}

/** A Pass state reading one context field into `{v: ...}`. */
function ctx(path: string): object {
  return { StartAt: 'Read', States: { Read: { Type: 'Pass', Parameters: { 'v.$': path }, End: true } } };
}

const OPTS = { executionName: 'exec-1', stateMachineName: 'machine-1' };

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- strings
  cmp('StringEquals', STR('test_string_equals'), 'Hello', 'Hello', true),
  cmp('StringEquals', STR('test_string_equals'), ' ', '     ', false),
  cmp('StringEquals', STR('test_string_equals'), '\t\n', '\t\r\n', false),
  cmp('StringEquals', STR('test_string_equals'), 1, 'HelloWorld', false),
  cmp('StringEquals', STR('test_string_equals'), null, 'HelloWorld', false),
  cmp('StringEquals', STR('test_string_equals'), true, 'HelloWorld', false),
  cmp('StringEquals', STR('test_string_equals'), { A: 0 }, 'HelloWorld', false),
  cmp('StringEqualsPath', STR('test_string_equals_path'), 'Hello', 'Hello', true),
  cmp('StringEqualsPath', STR('test_string_equals_path'), '\t\n', '\t\r\n', false),
  cmp('StringGreaterThan', STR('test_string_greater_than'), 'AB', 'ABC', false),
  cmp('StringGreaterThan', STR('test_string_greater_than'), '', '', false),
  cmp('StringGreaterThan', STR('test_string_greater_than'), 'A', 'A ', false),
  cmp('StringGreaterThan', CHOICE_DOC, 'B', 'A', true),
  cmp('StringGreaterThanPath', STR('test_string_greater_than_path'), 'A', 'A\t\n\r', false),
  cmp('StringGreaterThanPath', CHOICE_DOC, 'ABC', 'AB', true),
  cmp('StringGreaterThanEquals', STR('test_string_greater_than_equals'), '', '', true),
  cmp('StringGreaterThanEquals', STR('test_string_greater_than_equals'), 'A', 'AB', false),
  cmp('StringGreaterThanEquals', STR('test_string_greater_than_equals'), 'AB', 'A', true),
  cmp('StringGreaterThanEqualsPath', STR('test_string_greater_than_equals_path'), 'AB', 'A', true),
  cmp('StringGreaterThanEqualsPath', STR('test_string_greater_than_equals_path'), 'A', 'AB', false),
  cmp('StringLessThan', STR('test_string_less_than'), 'A', 'AB', true),
  cmp('StringLessThan', STR('test_string_less_than'), '', '', false),
  cmp('StringLessThan', STR('test_string_less_than'), 'AB', 'A', false),
  cmp('StringLessThanPath', STR('test_string_less_than_path'), 'A', 'AB', true),
  cmp('StringLessThanPath', STR('test_string_less_than_path'), 'AB', 'A', false),
  cmp('StringLessThanEquals', STR('test_string_less_than_equals'), '', '', true),
  cmp('StringLessThanEquals', STR('test_string_less_than_equals'), 'AB', 'A', false),
  cmp('StringLessThanEqualsPath', STR('test_string_less_than_equals_path'), 'A', 'AB', true),
  cmp('StringLessThanEqualsPath', STR('test_string_less_than_equals_path'), 'AB', 'A', false),
  cmp('StringMatches', CHOICE_DOC, 'log-2024-01.txt', 'log-*.txt', true),
  cmp('StringMatches', CHOICE_DOC, 'log-2024-01.csv', 'log-*.txt', false),
  cmp('StringMatches', CHOICE_DOC, 'abc', '*', true),
  cmp('StringMatches', CHOICE_DOC, 'start-middle-end', '*middle*', true),
  cmp('StringMatches', CHOICE_DOC, 'a*b', 'a\\*b', true),
  cmp('StringMatches', CHOICE_DOC, 'axb', 'a\\*b', false),
  cmp('StringMatches', CHOICE_DOC, 'abc', 'ab', false),
  cmp('StringMatches', CHOICE_DOC, 5, '*', false),

  // ---------------------------------------------------------------- numbers
  cmp('NumericEquals', NUM('test_numeric_equals'), 1, 1.0, true),
  cmp('NumericEquals', NUM('test_numeric_equals'), 2.22, 2.22, true),
  cmp('NumericEquals', NUM('test_numeric_equals'), 1.1, 1, false),
  cmp('NumericEquals', NUM('test_numeric_equals'), '', 0, false),
  cmp('NumericEquals', NUM('test_numeric_equals'), null, 0, false),
  cmp('NumericEquals', NUM('test_numeric_equals'), false, 0, false),
  cmp('NumericEquals', NUM('test_numeric_equals'), [], 0, false),
  cmp('NumericEqualsPath', NUM('test_numeric_equals_path'), 0, 0.0, true),
  cmp('NumericEqualsPath', NUM('test_numeric_equals_path'), true, 1, false),
  cmp('NumericEqualsPath', NUM('test_numeric_equals_path'), 1.1, 1, false),
  cmp('NumericGreaterThan', NUM('test_numeric_greater_than'), 1, 0, true),
  cmp('NumericGreaterThan', NUM('test_numeric_greater_than'), 0, 0, false),
  cmp('NumericGreaterThanPath', NUM('test_numeric_greater_than_path'), 1, 0, true),
  cmp('NumericGreaterThanPath', NUM('test_numeric_greater_than_path'), 1, 1, false),
  cmp('NumericGreaterThanEquals', NUM('test_numeric_greater_than_equals'), 0, 0, true),
  cmp('NumericGreaterThanEquals', NUM('test_numeric_greater_than_equals'), 0, 1, false),
  cmp('NumericGreaterThanEqualsPath', NUM('test_numeric_greater_than_equals_path'), 1, 1, true),
  cmp('NumericGreaterThanEqualsPath', NUM('test_numeric_greater_than_equals_path'), 0, 1, false),
  cmp('NumericLessThan', NUM('test_numeric_less_than'), 0, 1, true),
  cmp('NumericLessThan', NUM('test_numeric_less_than'), 1, 1, false),
  cmp('NumericLessThanPath', NUM('test_numeric_less_than_path'), 0, 1, true),
  cmp('NumericLessThanPath', NUM('test_numeric_less_than_path'), 1, 0, false),
  cmp('NumericLessThanEquals', NUM('test_numeric_less_than_equals'), 1, 1, true),
  cmp('NumericLessThanEquals', NUM('test_numeric_less_than_equals'), 1, 0, false),
  cmp('NumericLessThanEqualsPath', NUM('test_numeric_less_than_equals_path'), 0, 1, true),
  cmp('NumericLessThanEqualsPath', NUM('test_numeric_less_than_equals_path'), 1, 0, false),

  // ---------------------------------------------------------------- booleans
  cmp('BooleanEquals', BOOL('test_boolean_equals'), true, true, true),
  cmp('BooleanEquals', BOOL('test_boolean_equals'), false, false, true),
  cmp('BooleanEquals', BOOL('test_boolean_equals'), false, true, false),
  cmp('BooleanEquals', BOOL('test_boolean_equals'), 0, false, false),
  cmp('BooleanEquals', BOOL('test_boolean_equals'), null, false, false),
  cmp('BooleanEquals', BOOL('test_boolean_equals'), '', false, false),
  cmp('BooleanEqualsPath', BOOL('test_boolean_equals_path'), true, true, true),
  cmp('BooleanEqualsPath', BOOL('test_boolean_equals_path'), false, true, false),
  cmp('BooleanEqualsPath', BOOL('test_boolean_equals_path'), 1, true, false),

  // ---------------------------------------------------------------- timestamps
  cmp('TimestampEquals', TS('test_timestamp_equals'), T0, T0, true),
  cmp('TimestampEquals', TS('test_timestamp_equals'), T0, T1, false),
  cmp('TimestampEquals', TS('test_timestamp_equals'), '2023-02-24 12:15:56.832957', T0, false),
  cmp('TimestampEquals', TS('test_timestamp_equals'), 1, T0, false),
  cmp('TimestampEquals', TS('test_timestamp_equals'), null, T0, false),
  cmp('TimestampEqualsPath', TS('test_timestamp_equals_path'), T0, T0, true),
  cmp('TimestampEqualsPath', TS('test_timestamp_equals_path'), T1, T0, false),
  cmp('TimestampGreaterThan', TS('test_timestamp_greater_than'), T1, T0, true),
  cmp('TimestampGreaterThan', TS('test_timestamp_greater_than'), T0, T0, false),
  cmp('TimestampGreaterThanPath', TS('test_timestamp_greater_than_path'), T0, T1, false),
  cmp('TimestampGreaterThanPath', CHOICE_DOC, T1, T0, true),
  cmp('TimestampGreaterThanEquals', TS('test_timestamp_greater_than_equals'), T0, T0, true),
  cmp('TimestampGreaterThanEquals', TS('test_timestamp_greater_than_equals'), T0, T1, false),
  cmp('TimestampGreaterThanEqualsPath', TS('test_timestamp_greater_than_equals_path'), T0, T1, false),
  cmp('TimestampGreaterThanEqualsPath', CHOICE_DOC, T0, T0, true),
  cmp('TimestampLessThan', TS('test_timestamp_less_than'), T0, T1, true),
  cmp('TimestampLessThan', TS('test_timestamp_less_than'), T1, T0, false),
  cmp('TimestampLessThanPath', TS('test_timestamp_less_than_path'), T1, T0, false),
  cmp('TimestampLessThanPath', CHOICE_DOC, T0, T1, true),
  cmp('TimestampLessThanEquals', TS('test_timestamp_less_than_equals'), T0, T1, true),
  cmp('TimestampLessThanEquals', TS('test_timestamp_less_than_equals'), T1, T0, false),
  cmp('TimestampLessThanEqualsPath', TS('test_timestamp_less_than_equals_path'), T1, T0, false),
  cmp('TimestampLessThanEqualsPath', CHOICE_DOC, T0, T0, true),

  // ---------------------------------------------------------------- type tests
  cmp('IsNull', IS('test_is_null'), null, true, true),
  cmp('IsNull', IS('test_is_null'), null, false, false),
  cmp('IsNull', IS('test_is_null'), 0, true, false),
  cmp('IsNull', IS('test_is_null'), 0, false, true),
  cmp('IsNull', IS('test_is_null'), '', true, false),
  cmp('IsPresent', IS('test_is_present'), null, true, true),
  cmp('IsPresent', IS('test_is_present'), '', true, true),
  cmp('IsPresent', IS('test_is_present'), false, false, false),
  cmp('IsNumeric', IS('test_is_numeric'), 1.1, true, true),
  cmp('IsNumeric', IS('test_is_numeric'), 0, false, false),
  cmp('IsNumeric', IS('test_is_numeric'), 'HelloWorld', true, false),
  cmp('IsNumeric', IS('test_is_numeric'), true, true, false),
  cmp('IsNumeric', IS('test_is_numeric'), null, false, true),
  cmp('IsString', IS('test_is_string'), '', true, true),
  cmp('IsString', IS('test_is_string'), '2012-10-09T19:00:55', true, true),
  cmp('IsString', IS('test_is_string'), 0, true, false),
  cmp('IsString', IS('test_is_string'), [], false, true),
  cmp('IsBoolean', IS('test_is_boolean'), true, true, true),
  cmp('IsBoolean', IS('test_is_boolean'), false, true, true),
  cmp('IsBoolean', IS('test_is_boolean'), 0, true, false),
  cmp('IsBoolean', IS('test_is_boolean'), null, false, true),
  cmp('IsTimestamp', CHOICE_DOC, '2016-03-14T01:59:00Z', true, true),
  cmp('IsTimestamp', CHOICE_DOC, 'HelloWorld', true, false),
  cmp('IsTimestamp', CHOICE_DOC, 1, false, true),
  ruleCase('IsPresent true on a missing field is false', CHOICE_DOC, { Variable: '$.missing', IsPresent: true }, { other: 1 }, false),
  ruleCase('IsPresent false on a missing field is true', CHOICE_DOC, { Variable: '$.missing', IsPresent: false }, { other: 1 }, true),
  {
    name: 'A comparison on a missing field fails with States.Runtime',
    source: ERRORS_DOC,
    definition: rule({ Variable: '$.missing', StringEquals: 'x' }),
    input: { other: 1 },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },

  // ---------------------------------------------------------------- composite rules, Default, no match
  {
    name: 'Documentation example: And of two numeric bounds',
    source: SCEN('test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO]'),
    definition: DOCS_SCENARIO,
    input: { type: 'Private', value: 22 },
    expect: { status: 'SUCCEEDED', output: 'ValueInTwenties' },
  },
  {
    name: 'Documentation example: Not of StringEquals',
    source: CHOICE_DOC,
    definition: DOCS_SCENARIO,
    input: { type: 'Public', value: 22 },
    expect: { status: 'SUCCEEDED', output: 'Public' },
  },
  {
    name: 'Documentation example: the first matching rule wins',
    source: CHOICE_DOC,
    definition: DOCS_SCENARIO,
    input: { type: 'Private', value: 0 },
    expect: { status: 'SUCCEEDED', output: 'ValueIsZero' },
  },
  {
    name: 'Documentation example: Default goes to a Fail state',
    source: CHOICE_DOC,
    definition: DOCS_SCENARIO,
    input: { type: 'Private', value: 35 },
    expect: { status: 'FAILED', cause: 'No Matches!' },
  },
  {
    name: 'An And with a single rule',
    source: SCEN('test_choice_singleton_composite[CHOICE_STATE_SINGLETON_COMPOSITE]'),
    definition: {
      StartAt: 'ChoiceStateX',
      States: {
        ChoiceStateX: {
          Type: 'Choice',
          Choices: [{ And: [{ Variable: '$.type', StringEquals: 'Public' }], Next: 'Public' }],
          Default: 'DefaultState',
        },
        Public: { Type: 'Pass', End: true },
        DefaultState: { Type: 'Fail', Cause: 'No Matches!' },
      },
    },
    input: { type: 'Public', value: 22 },
    expect: { status: 'SUCCEEDED', output: { type: 'Public', value: 22 } },
  },
  ...[true, false].map(
    (done): ConformanceCase => ({
      name: `Rule fields in any order, BooleanEquals ${done}`,
      source: SCEN(`test_choice_unsorted_parameters_${done ? 'positive' : 'negative'}[CHOICE_STATE_UNSORTED_CHOICE_PARAMETERS]`),
      definition: {
        StartAt: 'CheckResult',
        States: {
          CheckResult: {
            Choices: [
              { BooleanEquals: true, Next: 'FinishTrue', Variable: '$.result.done' },
              { BooleanEquals: false, Next: 'FinishFalse', Variable: '$.result.done' },
            ],
            Type: 'Choice',
          },
          FinishTrue: { End: true, Type: 'Pass', ResultPath: '$.went', Result: 'FinishTrue' },
          FinishFalse: { End: true, Type: 'Pass', ResultPath: '$.went', Result: 'FinishFalse' },
        },
      },
      input: { result: { done } },
      expect: { status: 'SUCCEEDED', output: { result: { done }, went: done ? 'FinishTrue' : 'FinishFalse' } },
    }),
  ),
  ruleCase('Or matches when one rule matches', CHOICE_DOC,
    { Or: [{ Variable: '$.a', NumericEquals: 1 }, { Variable: '$.b', StringEquals: 'x' }] }, { a: 2, b: 'x' }, true),
  ruleCase('Or does not match when no rule matches', CHOICE_DOC,
    { Or: [{ Variable: '$.a', NumericEquals: 1 }, { Variable: '$.b', StringEquals: 'x' }] }, { a: 2, b: 'y' }, false),
  ruleCase('And does not match when one rule fails', CHOICE_DOC,
    { And: [{ Variable: '$.a', NumericEquals: 1 }, { Variable: '$.b', StringEquals: 'x' }] }, { a: 1, b: 'y' }, false),
  ruleCase('Not of a false rule matches', CHOICE_DOC, { Not: { Variable: '$.a', NumericGreaterThan: 5 } }, { a: 1 }, true),
  ruleCase('Nested Not inside And inside Or', CHOICE_DOC,
    {
      Or: [
        { Variable: '$.kind', StringEquals: 'never' },
        { And: [{ Variable: '$.n', NumericGreaterThanEquals: 10 }, { Not: { Variable: '$.tag', StringMatches: 'skip-*' } }] },
      ],
    },
    { kind: 'k', n: 10, tag: 'keep-me' }, true),
  ruleCase('Nested Not inside And inside Or, negative', CHOICE_DOC,
    {
      Or: [
        { Variable: '$.kind', StringEquals: 'never' },
        { And: [{ Variable: '$.n', NumericGreaterThanEquals: 10 }, { Not: { Variable: '$.tag', StringMatches: 'skip-*' } }] },
      ],
    },
    { kind: 'k', n: 10, tag: 'skip-me' }, false),
  ruleCase('IsPresent guards a comparison inside And', CHOICE_DOC,
    { And: [{ Variable: '$.v', IsPresent: true }, { Variable: '$.v', IsNumeric: true }, { Variable: '$.v', NumericGreaterThan: 0 }] },
    { v: 3 }, true),
  {
    name: 'No matching rule and no Default fails with States.NoChoiceMatched',
    source: CHOICE_DOC,
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.v', NumericEquals: 1, Next: 'Yes' }] },
        Yes: { Type: 'Succeed' },
      },
    },
    input: { v: 2 },
    expect: { status: 'FAILED', error: 'States.NoChoiceMatched' },
  },
  {
    name: 'A Choice passes its input on unchanged',
    source: SCEN('test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO]'),
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.value', NumericLessThan: 30, Next: 'Done' }] },
        Done: { Type: 'Succeed' },
      },
    },
    input: { type: 'Private', value: 22 },
    expect: { status: 'SUCCEEDED', output: { type: 'Private', value: 22 } },
  },
  {
    name: 'Choice InputPath narrows what rules see, OutputPath what goes on',
    source: CHOICE_DOC,
    definition: {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          InputPath: '$.sub',
          OutputPath: '$.keep',
          Choices: [{ Variable: '$.v', NumericEquals: 1, Next: 'Done' }],
          Default: 'Other',
        },
        Done: { Type: 'Succeed' },
        Other: { Type: 'Fail', Error: 'Wrong' },
      },
    },
    input: { sub: { v: 1, keep: { k: true } }, v: 2 },
    expect: { status: 'SUCCEEDED', output: { k: true } },
  },
  {
    name: 'Default is taken when no rule matches',
    source: CHOICE_DOC,
    definition: rule({ Variable: '$.v', StringEquals: 'a' }),
    input: { v: 'b' },
    expect: { status: 'SUCCEEDED', output: 'No' },
  },

  // ---------------------------------------------------------------- context object
  {
    name: 'A Choice Variable can read the context object',
    source: CONTEXT('test_variable'),
    definition: {
      Comment: 'CONTEXT_OBJECT_VARIABLE',
      StartAt: 'TestState',
      States: {
        TestState: {
          Type: 'Choice',
          Choices: [{ Variable: '$$.Execution.Input.input-value', NumericLessThanEquals: 0, Next: 'QuitChoiceMatched' }],
          Default: 'QuitNoChoiceMatched',
        },
        QuitChoiceMatched: { Type: 'Pass', Result: 'matched', End: true },
        QuitNoChoiceMatched: { Type: 'Pass', Result: 'not matched', End: true },
      },
    },
    input: { 'input-value': 0 },
    expect: { status: 'SUCCEEDED', output: 'matched' },
  },
  ruleCase('A Choice Variable $$.State.Name is the Choice state name', CONTEXT_DOC, { Variable: '$$.State.Name', StringEquals: 'C' }, {}, true),
  {
    name: '$$.Execution.Id is the execution ARN',
    source: CONTEXT_DOC,
    definition: ctx('$$.Execution.Id'),
    options: OPTS,
    expect: { status: 'SUCCEEDED', output: { v: 'arn:aws:states:us-east-1:123456789012:execution:machine-1:exec-1' } },
  },
  {
    name: '$$.Execution.Name',
    source: CONTEXT_DOC,
    definition: ctx('$$.Execution.Name'),
    options: OPTS,
    expect: { status: 'SUCCEEDED', output: { v: 'exec-1' } },
  },
  {
    name: '$$.Execution.Input is the execution input, not the state input',
    source: CONTEXT_DOC,
    definition: {
      StartAt: 'Change',
      States: {
        Change: { Type: 'Pass', Result: { changed: true }, Next: 'Read' },
        Read: { Type: 'Pass', Parameters: { 'v.$': '$$.Execution.Input', 'now.$': '$' }, End: true },
      },
    },
    input: { original: 1 },
    expect: { status: 'SUCCEEDED', output: { v: { original: 1 }, now: { changed: true } } },
  },
  {
    name: '$$.Execution.StartTime has millisecond precision and a Z',
    source: CONTEXT_DOC,
    definition: ctx('$$.Execution.StartTime'),
    expect: { status: 'SUCCEEDED', output: { v: '2024-01-01T00:00:00.000Z' } },
  },
  {
    name: '$$.State.Name',
    source: CONTEXT_DOC,
    definition: ctx('$$.State.Name'),
    expect: { status: 'SUCCEEDED', output: { v: 'Read' } },
  },
  {
    name: '$$.State.EnteredTime is when the state was entered',
    source: CONTEXT_DOC,
    definition: {
      StartAt: 'Wait10',
      States: {
        Wait10: { Type: 'Wait', Seconds: 10, Next: 'Read' },
        Read: { Type: 'Pass', Parameters: { 'entered.$': '$$.State.EnteredTime', 'started.$': '$$.Execution.StartTime' }, End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: { entered: '2024-01-01T00:00:10.000Z', started: '2024-01-01T00:00:00.000Z' } },
  },
  {
    name: '$$.State.RetryCount counts the retries of a Task',
    source: CONTEXT_DOC,
    definition: {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Parameters: { FunctionName: FN, Payload: { 'retry.$': '$$.State.RetryCount' } },
          Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 3 }],
          OutputPath: '$.Payload',
          End: true,
        },
      },
    },
    tasks: {
      [FN]: req => {
        if (req.attempt < 3) throw new TaskError('Flaky', 'try again');
        return { sawRetryCount: req.input.retry };
      },
    },
    expect: { status: 'SUCCEEDED', output: { sawRetryCount: 2 } },
  },
  {
    name: '$$.StateMachine.Id and $$.StateMachine.Name',
    source: CONTEXT_DOC,
    definition: { StartAt: 'Read', States: { Read: { Type: 'Pass', Parameters: { 'id.$': '$$.StateMachine.Id', 'name.$': '$$.StateMachine.Name' }, End: true } } },
    options: OPTS,
    expect: { status: 'SUCCEEDED', output: { id: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine-1', name: 'machine-1' } },
  },
  {
    name: 'A Fail state ErrorPath and CausePath can read the context object',
    source: CONTEXT('test_error_cause_path'),
    definition: { StartAt: 'StartState', States: { StartState: { Type: 'Fail', ErrorPath: '$$.State.Name', CausePath: '$$.StateMachine.Name' } } },
    options: OPTS,
    expect: { status: 'FAILED', error: 'StartState', cause: 'machine-1' },
  },
  {
    name: 'Map ItemsPath can read the context object',
    source: CONTEXT('test_items_path'),
    definition: {
      Comment: 'CONTEXT_OBJECT_ITEMS_PATH',
      StartAt: 'TestState',
      States: {
        TestState: {
          Type: 'Map',
          ItemsPath: '$$.Execution.Input.input-values',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: { 'input-values': ['item-0'] },
    expect: { status: 'SUCCEEDED', output: ['item-0'] },
  },
  {
    name: 'Map ItemSelector reads $$.Map.Item.Index and $$.Map.Item.Value',
    source: SCEN('test_map_state_item_selector_singleton'),
    definition: {
      StartAt: 'StartState',
      States: {
        StartState: { Type: 'Pass', Result: { detail: { 'delivery-partner': 'UQS', 'shipped': ['A', 'B', 'C'] } }, Next: 'MapState' },
        MapState: {
          Type: 'Map',
          ResultPath: '$.detail.shipped_output',
          InputPath: '$.detail',
          ItemsPath: '$.shipped',
          MaxConcurrency: 1,
          ItemSelector: {
            'original_input.$': '$',
            'iteration_input_value.$': '$$.Map.Item.Value',
            'iteration_index.$': '$$.Map.Item.Index',
            'from_input_constant.$': '$.delivery-partner',
            'constant_value': 'HelloWorld',
          },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
          Next: 'Final',
        },
        Final: { Type: 'Pass', End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: {
        detail: {
          'delivery-partner': 'UQS',
          'shipped': ['A', 'B', 'C'],
          'shipped_output': ['A', 'B', 'C'].map((v, i) => ({
            constant_value: 'HelloWorld',
            iteration_input_value: v,
            from_input_constant: 'UQS',
            iteration_index: i,
            original_input: { 'delivery-partner': 'UQS', 'shipped': ['A', 'B', 'C'] },
          })),
        },
      },
    },
  },
  {
    name: 'Map ItemSelector $$.Map.Item.Value of object items',
    source: SCEN('test_map_state_item_selector[MAP_STATE_ITEM_SELECTOR]'),
    definition: {
      StartAt: 'MapState',
      States: {
        MapState: {
          Type: 'Map',
          ItemsPath: '$.shipped',
          ItemSelector: { 'iteration_input_value.$': '$$.Map.Item.Value', 'iteration_index.$': '$$.Map.Item.Index' },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: { shipped: [{ 'prod': 'R31', 'dest-code': 9511, 'quantity': 1344 }, { 'prod': 'S39', 'dest-code': 9511, 'quantity': 40 }] },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { iteration_input_value: { 'prod': 'R31', 'dest-code': 9511, 'quantity': 1344 }, iteration_index: 0 },
        { iteration_input_value: { 'prod': 'S39', 'dest-code': 9511, 'quantity': 40 }, iteration_index: 1 },
      ],
    },
  },
  {
    name: 'Legacy Map Parameters read $$.Map.Item too',
    source: SCEN('test_map_state_parameters_singleton_legacy'),
    definition: {
      StartAt: 'MapState',
      States: {
        MapState: {
          Type: 'Map',
          ItemsPath: '$.shipped',
          MaxConcurrency: 1,
          Parameters: { 'iteration_input_value.$': '$$.Map.Item.Value', 'iteration_index.$': '$$.Map.Item.Index', 'constant_value': 'HelloWorld' },
          Iterator: { StartAt: 'HandleItem', States: { HandleItem: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: { shipped: ['A', 'B'] },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { iteration_input_value: 'A', iteration_index: 0, constant_value: 'HelloWorld' },
        { iteration_input_value: 'B', iteration_index: 1, constant_value: 'HelloWorld' },
      ],
    },
  },
  {
    name: 'ItemSelector mixes the Map input with the item',
    source: SCEN('test_map_state_item_selector_parameters'),
    definition: {
      Comment: 'MAP_STATE_ITEM_SELECTOR_PARAMETERS',
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Parameters: { bucket: 'test-bucket', values: ['1', '2', '3'] }, ResultPath: '$.content', Next: 'MapState' },
        MapState: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemsPath: '$.content.values',
          ItemSelector: { 'bucketName.$': '$.content.bucket', 'value.$': '$$.Map.Item.Value' },
          ItemProcessor: { StartAt: 'EndState', ProcessorConfig: { Mode: 'INLINE' }, States: { EndState: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: [
        { bucketName: 'test-bucket', value: '1' },
        { bucketName: 'test-bucket', value: '2' },
        { bucketName: 'test-bucket', value: '3' },
      ],
    },
  },
];
