/**
 * JSONata: QueryLanguage at the top level and per state, Arguments, Output, Condition, Items,
 * `{% %}` templates, `$states`, the functions Step Functions adds, fields a JSONata state may not
 * use, and States.QueryEvaluationError.
 */
import * as crypto from 'crypto';
import { CONFORMANCE_START, ConformanceCase } from './case';
import { at, DOC, echo, fails, first, INVOKE, json, LAMBDA_CAUSE, LS, QE } from './helpers';
import type { TaskRequest } from '../../../src/engine/types';
import { TaskError, TaskOutcome } from '../../../src/engine/types';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';


/** JSONata Lambda task: the state input is the payload. */
const invokeJ = (extra: object = {}) => ({
  Type: 'Task',
  Resource: INVOKE,
  Arguments: { FunctionName: FN, Payload: '{% $states.input %}' },
  ...extra,
});


/** A JSONata state machine of one state. */
const jsonata = (state: any, name = 'S') => ({ QueryLanguage: 'JSONata', StartAt: name, States: { [name]: state.Type === 'Fail' ? state : { ...state, End: true } } });
/** A JSONata Pass state whose Output is `output`. */
const passOut = (output: unknown, name = 'S') => jsonata({ Type: 'Pass', Output: output }, name);
/** The cause Step Functions records when a JSONata expression gives nothing. */
const undefinedCause = (state: string, id: number, expr: string, field: string) =>
  `An error occurred while executing the state '${state}' (entered at the event id #${id}). The JSONata expression '${expr}' specified for the field '${field}' returned nothing (undefined).`;
const itemsTypeCause = (id: number, expr: string, type: string, value: string) =>
  `An error occurred while executing the state 'MapIterateState' (entered at the event id #${id}). The JSONata expression '${expr}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${type}' for value: ${value}`;
const timestampCause = (value: string) =>
  `An error occurred while executing the state 'WaitState' (entered at the event id #2). The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${value}`;

const mapItems = (items: unknown, name = 'MapIterateState') => jsonata({
  Type: 'Map',
  MaxConcurrency: 1,
  Items: items,
  ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Pass', States: { Pass: { Type: 'Pass', End: true } } },
}, name);

const OUTPUT_ANY = `${LS}outputdecl/test_output.snapshot.json#test_base_output_any_non_dict`;
const ITEMS_FAIL = `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_eval_jsonata_fail`;
const WAIT_TS = `${LS}scenarios/test_base_scenarios.snapshot.json#test_wait_timestamp_jsonata`;

const LITERALS = {
  'constant_null': null,
  'constant_int': 0,
  'constant_float': 0.1,
  'constant_bool': true,
  'constant_str': 'constant string',
  'constant_not_jsonata': ' {% states.input %} ',
  'constant_varpath_states': '$states.input',
  'constant_varpath': '$no.such.var.path',
  'constant_jp_input': '$',
  'constant_jp_input.$': '$',
  'constant_jp_input_path': '$.input_value',
  'constant_jp_context': '$$',
  'constant_if': "States.Format('Format:{}', 101)",
  'constant_lst_empty': [],
  'constant_lst': [null, 0, 0.1, true, [], { constant: 0 }, ' {% states.input %} ', '$states.input', '$no.such.var.path'],
  'constant_obj_empty': {},
  'constant_obj': {
    in_obj_constant_null: null,
    in_obj_constant_int: 0,
    in_obj_constant_float: 0.1,
    in_obj_constant_bool: true,
    in_obj_constant_str: 'constant string',
    in_obj_constant_not_jsonata: ' {% states.input %} ',
    in_obj_constant_lst_empty: [],
    in_obj_constant_lst: [null, 0, 0.1, true, [], { constant: 0 }, ' {% states.input %} ', '$states.input', '$no.such.var.path'],
    in_obj_constant_obj_empty: {},
    in_obj_constant_obj: { constant: 0 },
  },
};

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- QueryLanguage
  {
    name: 'QueryLanguage JSONata at the top level: a bare Pass state passes its input',
    source: `${LS}query_language/test_base_query_language.snapshot.json#test_base_query_language_field[JSONATA]`,
    definition: { QueryLanguage: 'JSONata', StartAt: 'StartState', States: { StartState: { Type: 'Pass', End: true } } },
    input: { a: [1, 2] },
    expect: { status: 'SUCCEEDED', output: { a: [1, 2] }, eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'] },
  },
  {
    name: 'QueryLanguage JSONata on one state of a JSONPath machine',
    source: `${LS}query_language/test_base_query_language.snapshot.json#test_query_language_field_override[JSONATA_OVERRIDE]`,
    definition: {
      QueryLanguage: 'JSONPath',
      StartAt: 'StartState',
      States: { StartState: { QueryLanguage: 'JSONata', Type: 'Pass', Output: '{% $states.input.v + 1 %}', End: true } },
    },
    input: { v: 1 },
    expect: { status: 'SUCCEEDED', output: 2 },
  },
  {
    name: 'QueryLanguage JSONata on a state when the machine leaves the default (JSONPath)',
    source: `${LS}query_language/test_base_query_language.snapshot.json#test_query_language_field_override[JSONATA_OVERRIDE_DEFAULT]`,
    definition: { StartAt: 'StartState', States: { StartState: { QueryLanguage: 'JSONata', Type: 'Pass', Output: { k: '{% $states.input.v %}' }, End: true } } },
    input: { v: 'x' },
    expect: { status: 'SUCCEEDED', output: { k: 'x' } },
  },
  {
    name: 'a JSONPath state in a JSONata state machine is refused',
    source: `${LS}test_sfn_api_validation.snapshot.json#test_validate_state_machine_definition_type_standard[INVALID_DOWNGRADE_QUERY_LANGUAGE]`,
    definition: { QueryLanguage: 'JSONata', StartAt: 'Pass', States: { Pass: { QueryLanguage: 'JSONPath', Type: 'Pass', End: true } } },
    expect: { invalid: /QueryLanguage/ },
  },
  {
    name: 'an unknown QueryLanguage is refused',
    source: `${DOC}transforming-data.html`,
    definition: { QueryLanguage: 'XPath', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    expect: { invalid: /QueryLanguage/ },
  },
  {
    name: 'mixed: a JSONata Output feeds a JSONPath state',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_output_to_state[JSONATA_OUTPUT_TO_JSONPATH]`,
    definition: {
      StartAt: 'JSONataState',
      States: {
        JSONataState: { QueryLanguage: 'JSONata', Type: 'Pass', Output: { foo: 'foobar', bar: '{% $states.input %}' }, Next: 'JSONPathState' },
        JSONPathState: { QueryLanguage: 'JSONPath', Type: 'Pass', End: true },
      },
    },
    input: { input_data: 'test' },
    expect: {
      status: 'SUCCEEDED',
      output: { foo: 'foobar', bar: { input_data: 'test' } },
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'mixed: JSONPath Parameters feed a JSONata state',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_output_to_state[JSONPATH_OUTPUT_TO_JSONATA]`,
    definition: {
      StartAt: 'JSONataState',
      States: {
        JSONataState: { QueryLanguage: 'JSONPath', Type: 'Pass', Parameters: { 'foo': 'foobar', 'bar.$': '$' }, Next: 'JSONPathState' },
        JSONPathState: { QueryLanguage: 'JSONata', Type: 'Pass', End: true },
      },
    },
    input: { input_data: 'test' },
    expect: { status: 'SUCCEEDED', output: { foo: 'foobar', bar: { input_data: 'test' } } },
  },

  // ---------------------------------------------------------------- Output
  {
    name: 'Output {} gives {}',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_cases[BASE_EMPTY]`,
    definition: passOut({}, 'State0'),
    input: { input_value: 'string literal', input_values: [1, 2, 3] },
    expect: { status: 'SUCCEEDED', output: {} },
  },
  {
    name: 'Output literals: strings not wholly {% %}, JSONPath-looking strings and even ".$" keys are kept as they are',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_cases[BASE_LITERALS]`,
    definition: passOut(LITERALS, 'State0'),
    input: { input_value: 'string literal', input_values: [1, 2, 3] },
    expect: { status: 'SUCCEEDED', output: LITERALS },
  },
  {
    name: 'Output as a single expression using $states.input and a variable',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_cases[BASE_DIRECT_EXPR]`,
    definition: {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { var_constant_1: 1 }, Next: 'State0' },
        State0: { QueryLanguage: 'JSONata', Type: 'Pass', Output: '{% $sum($states.input.input_values) + $var_constant_1 %}', End: true },
      },
    },
    input: { input_value: 'string literal', input_values: [1, 2, 3] },
    expect: { status: 'SUCCEEDED', output: 7 },
  },
  {
    name: 'Output expressions in an object: $states.input, a variable and arithmetic',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_cases[BASE_EXPR]`,
    definition: {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { 'var_input_value.$': '$.input_value', 'var_constant_1': 1 }, Next: 'State0' },
        State0: {
          QueryLanguage: 'JSONata',
          Type: 'Pass',
          Output: {
            ja_states_input: '{% $states.input %}',
            ja_var_access: '{% $var_input_value %}',
            ja_expr: '{% $sum($states.input.input_values) + $var_constant_1 %}',
          },
          End: true,
        },
      },
    },
    input: { input_value: 'string literal', input_values: [1, 2, 3] },
    expect: {
      status: 'SUCCEEDED',
      output: { ja_states_input: { input_value: 'string literal', input_values: [1, 2, 3] }, ja_var_access: 'string literal', ja_expr: 7 },
    },
  },
  {
    name: '$states.context holds Execution, StateMachine and State',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_cases[BASE_EXPR]`,
    definition: passOut('{% $states.context %}', 'State0'),
    input: { input_value: 'string literal' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const c = r.output as any;
        expect(Object.keys(c).sort()).toEqual(['Execution', 'State', 'StateMachine']);
        expect(Object.keys(c.Execution).sort()).toEqual(['Id', 'Input', 'Name', 'RedriveCount', 'RoleArn', 'StartTime']);
        expect(c.Execution).toMatchObject({
          Id: r.executionArn, Input: { input_value: 'string literal' }, Name: 'local-execution', RedriveCount: 0,
        });
        expect(new Date(c.Execution.StartTime).getTime()).toBe(CONFORMANCE_START.getTime());
        expect(c.StateMachine).toEqual({ Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:LocalStateMachine', Name: 'LocalStateMachine' });
        expect(c.State.Name).toBe('State0');
        expect(new Date(c.State.EnteredTime).getTime()).toBe(CONFORMANCE_START.getTime());
        expect(r.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:LocalStateMachine:local-execution');
      },
    },
  },
  {
    name: '$states.context.State.EnteredTime follows virtual time',
    source: `${DOC}input-output-contextobject.html`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', Seconds: 42, Next: 'P' },
        P: { Type: 'Pass', Output: '{% $states.context.State %}', End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const s = r.output as any;
        expect(s.Name).toBe('P');
        expect(new Date(s.EnteredTime).getTime() - CONFORMANCE_START.getTime()).toBe(42_000);
      },
    },
  },
  { name: 'Output null', source: `${OUTPUT_ANY}[NULL]`, definition: passOut(null, 'State0'), input: { input_value: 'stringliteral' }, expect: { status: 'SUCCEEDED', output: null } },
  { name: 'Output 0', source: `${OUTPUT_ANY}[INT]`, definition: passOut(0, 'State0'), input: { input_value: 'stringliteral' }, expect: { status: 'SUCCEEDED', output: 0 } },
  { name: 'Output 0.1', source: `${OUTPUT_ANY}[FLOAT]`, definition: passOut(0.1, 'State0'), input: { input_value: 'stringliteral' }, expect: { status: 'SUCCEEDED', output: 0.1 } },
  { name: 'Output true', source: `${OUTPUT_ANY}[BOOL]`, definition: passOut(true, 'State0'), input: { input_value: 'stringliteral' }, expect: { status: 'SUCCEEDED', output: true } },
  {
    name: 'Output a string literal',
    source: `${OUTPUT_ANY}[STR_LIT]`,
    definition: passOut('string literal', 'State0'),
    input: { input_value: 'stringliteral' },
    expect: {
      status: 'SUCCEEDED',
      output: 'string literal',
      check: r => expect(first(r, 'PassStateExited').stateExitedEventDetails).toMatchObject({ output: '"string literal"' }),
    },
  },
  { name: 'Output {% $states.input %}', source: `${OUTPUT_ANY}[JSONATA_EXPR]`, definition: passOut('{% $states.input %}', 'State0'), input: { input_value: 'stringliteral' }, expect: { status: 'SUCCEEDED', output: { input_value: 'stringliteral' } } },
  { name: 'Output []', source: `${OUTPUT_ANY}[LIST_EMPY]`, definition: passOut([], 'State0'), input: { input_value: 'stringliteral' }, expect: { status: 'SUCCEEDED', output: [] } },
  {
    name: 'Output an array mixing literals and expressions, at any depth',
    source: `${OUTPUT_ANY}[LIST_RICH]`,
    definition: passOut([null, 0, 0.1, true, 'string', [], '$nosuchvar', '$.no.such.path', '{% $states.input %}', { key: '{% true %}' }], 'State0'),
    input: { input_value: 'stringliteral' },
    expect: { status: 'SUCCEEDED', output: [null, 0, 0.1, true, 'string', [], '$nosuchvar', '$.no.such.path', { input_value: 'stringliteral' }, { key: true }] },
  },
  {
    name: 'a string with text around {% %} is a literal, not an expression',
    source: `${DOC}transforming-data.html`,
    definition: passOut({ a: 'x {% 1 + 1 %}', b: '{% 1 + 1 %} ', c: '{%1+1%}' }),
    expect: { status: 'SUCCEEDED', output: { a: 'x {% 1 + 1 %}', b: '{% 1 + 1 %} ', c: 2 } },
  },
  {
    name: 'JSONata regular expressions: $contains with a regex (true)',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_jsonata_regular_expressions[BASE]`,
    definition: passOut('{% $contains("hello$world", /^hello\\$/) %}', 'Start'),
    expect: { status: 'SUCCEEDED', output: true },
  },
  {
    name: 'JSONata regular expressions: $contains with a regex (false)',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_jsonata_regular_expressions[BASE_FALSE]`,
    definition: passOut('{% $contains("hello$world", /^hello\\ /) %}', 'Start'),
    expect: { status: 'SUCCEEDED', output: false },
  },
  {
    name: 'JSONata regular expressions: single-quoted string (true)',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_jsonata_regular_expressions[BASE_SINGLE_QUOTE]`,
    definition: passOut("{% $contains('hello$world', /^hello\\$/) %}", 'Start'),
    expect: { status: 'SUCCEEDED', output: true },
  },
  {
    name: 'JSONata regular expressions: single-quoted string (false)',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_jsonata_regular_expressions[BASE_SINGLE_QUOTE_FALSE]`,
    definition: passOut("{% $contains('hello$world', /^hello\\ /) %}", 'Start'),
    expect: { status: 'SUCCEEDED', output: false },
  },
  {
    name: '$merge over parts of the input',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_merge_with_dynamic_args`,
    definition: passOut('{% $merge([$states.input.part1, $states.input.part2]) %}', 'Start'),
    input: { part1: { hello: 'world' }, part2: { foo: 'bar' } },
    expect: { status: 'SUCCEEDED', output: { hello: 'world', foo: 'bar' } },
  },

  // ---------------------------------------------------------------- Step Functions' own JSONata functions
  {
    name: '$partition splits an array into chunks',
    source: `${DOC}transforming-data.html`,
    definition: passOut('{% $partition([1, 2, 3, 4, 5, 6, 7], 3) %}'),
    expect: { status: 'SUCCEEDED', output: [[1, 2, 3], [4, 5, 6], [7]] },
  },
  {
    name: '$range(0, 10, 2) includes the end',
    source: `${DOC}transforming-data.html`,
    definition: passOut('{% $range(0, 10, 2) %}'),
    expect: { status: 'SUCCEEDED', output: [0, 2, 4, 6, 8, 10] },
  },
  {
    name: '$range returns a sequence: one number alone is that number, not [1]',
    source: `${LS}intrinsic_functions/test_array_jsonata.snapshot.json#test_array_range`,
    definition: passOut('{% $range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, $states.input.FunctionInput.trd) %}', 'State_0'),
    input: { FunctionInput: { fst: 1, snd: 9, trd: 9 } },
    expect: { status: 'SUCCEEDED', output: 1 },
  },
  {
    name: '$range(1, 9, 2): several numbers stay an array',
    source: `${LS}intrinsic_functions/test_array_jsonata.snapshot.json#test_array_range`,
    definition: passOut('{% $range(1, 9, 2) %}'),
    expect: { status: 'SUCCEEDED', output: [1, 3, 5, 7, 9] },
  },
  {
    name: '$range inside an expression is a sequence JSONata counts and indexes like any other',
    source: `${DOC}transforming-data.html`,
    definition: passOut({ count: '{% $count($range(1, 9, 9)) %}', first: '{% $range(4, 8, 2)[0] %}', sum: '{% $sum($range(1, 4, 1)) %}' }),
    expect: { status: 'SUCCEEDED', output: { count: 1, first: 4, sum: 10 } },
  },
  {
    name: '$partition([0], 1) keeps its one chunk in an array: [[0]]',
    source: `${LS}intrinsic_functions/test_array_jsonata.snapshot.json#test_array_partition`,
    definition: passOut('{% $partition([0], 1) %}'),
    expect: { status: 'SUCCEEDED', output: [[0]] },
  },
  {
    name: '$randomSeeded is not a Step Functions function: T1006, with its code first as AWS prints it',
    source: `${LS}intrinsic_functions/test_math_operations_jsonata.snapshot.json#test_math_random_seeded`,
    definition: passOut({ FunctionResult: '{% $randomSeeded($states.input.FunctionInput.fst) %}' }, 'State_0'),
    input: { FunctionInput: 'fst' },
    expect: {
      status: 'FAILED',
      error: 'States.QueryEvaluationError',
      cause: "An error occurred while executing the state 'State_0' (entered at the event id #2). The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function",
    },
  },
  {
    name: '$hash with SHA-256 gives the hex digest',
    source: `${DOC}transforming-data.html`,
    definition: passOut("{% $hash($states.input.content, 'SHA-256') %}"),
    input: { content: 'Hash this string' },
    expect: { status: 'SUCCEEDED', output: crypto.createHash('sha256').update('Hash this string').digest('hex') },
  },
  {
    name: '$hash with MD5',
    source: `${DOC}transforming-data.html`,
    definition: passOut("{% $hash('input data', 'MD5') %}"),
    expect: { status: 'SUCCEEDED', output: crypto.createHash('md5').update('input data').digest('hex') },
  },
  {
    name: '$random() is a number in [0, 1); with the same seed argument it repeats',
    source: `${DOC}transforming-data.html`,
    definition: passOut({ r: '{% $random() %}', s1: '{% $random(7) %}', s2: '{% $random(7) %}' }),
    options: { seed: 3 },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const o = r.output as any;
        for (const v of [o.r, o.s1]) {
          expect(typeof v).toBe('number');
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThan(1);
        }
        expect(o.s1).toBe(o.s2);
      },
    },
  },
  {
    name: '$uuid() gives a version 4 UUID',
    source: `${DOC}transforming-data.html`,
    definition: passOut({ a: '{% $uuid() %}', b: '{% $uuid() %}' }),
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const o = r.output as any;
        expect(o.a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(o.b).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(o.a).not.toBe(o.b);
      },
    },
  },
  {
    name: '$parse turns a JSON string into its value',
    source: `${DOC}transforming-data.html`,
    definition: passOut('{% $parse($states.input.s) %}'),
    input: { s: '{"key":"value","n":[1,2]}' },
    expect: { status: 'SUCCEEDED', output: { key: 'value', n: [1, 2] } },
  },

  // ---------------------------------------------------------------- Choice
  {
    name: 'Choice Condition true takes the rule; the rule\'s Output is the state output',
    source: `${LS}outputdecl/test_output.snapshot.json#test_output_in_choice[CONDITION_TRUE]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ChoiceState',
      States: {
        ChoiceState: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.condition %}', Next: 'ConditionTrue', Output: 'Condition Output block' }],
          Default: 'DefaultState',
          Output: 'Default Output block',
        },
        ConditionTrue: { Type: 'Pass', End: true },
        DefaultState: { Type: 'Fail', Cause: 'Condition is false' },
      },
    },
    input: { condition: true },
    expect: {
      status: 'SUCCEEDED',
      output: 'Condition Output block',
      eventTypes: ['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'Choice Condition false goes to Default with the state\'s Output; a Fail with only a Cause',
    source: `${LS}outputdecl/test_output.snapshot.json#test_output_in_choice[CONDITION_FALSE]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ChoiceState',
      States: {
        ChoiceState: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.condition %}', Next: 'ConditionTrue', Output: 'Condition Output block' }],
          Default: 'DefaultState',
          Output: 'Default Output block',
        },
        ConditionTrue: { Type: 'Pass', End: true },
        DefaultState: { Type: 'Fail', Cause: 'Condition is false' },
      },
    },
    input: { condition: false },
    expect: {
      status: 'FAILED',
      cause: 'Condition is false',
      eventTypes: ['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed'],
      check: r => {
        expect(r.error).toBeUndefined();
        expect(json((first(r, 'FailStateEntered').stateEnteredEventDetails as any).input)).toBe('Default Output block');
      },
    },
  },
  {
    name: 'Choice Condition as a constant {% true %}',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_choice_condition_constant_jsonata`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ChoiceState',
      States: {
        ChoiceState: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'ConditionTrue' }], Default: 'DefaultState' },
        ConditionTrue: { Type: 'Pass', End: true },
        DefaultState: { Type: 'Fail' },
      },
    },
    expect: { status: 'SUCCEEDED', output: {} },
  },
  {
    name: 'Choice Condition comparing input values, rules in order',
    source: `${DOC}state-choice.html`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Condition: '{% $states.input.age >= 65 %}', Next: 'Senior' },
            { Condition: "{% $states.input.age >= 18 and $states.input.country = 'FR' %}", Next: 'Adult' },
          ],
          Default: 'Other',
        },
        Senior: { Type: 'Pass', Output: 'senior', End: true },
        Adult: { Type: 'Pass', Output: 'adult', End: true },
        Other: { Type: 'Pass', Output: 'other', End: true },
      },
    },
    input: { age: 30, country: 'FR' },
    expect: { status: 'SUCCEEDED', output: 'adult' },
  },
  {
    name: 'Choice Condition that is not a boolean fails with States.QueryEvaluationError',
    source: `${DOC}state-choice.html`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.v %}', Next: 'P' }], Default: 'P' },
        P: { Type: 'Pass', End: true },
      },
    },
    input: { v: 'yes' },
    expect: { status: 'FAILED', error: QE },
  },
  {
    name: 'a JSONPath Choice rule (Variable) in a JSONata state is refused',
    source: `${DOC}state-choice.html`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.v', BooleanEquals: true, Next: 'P' }], Default: 'P' },
        P: { Type: 'Pass', End: true },
      },
    },
    expect: { invalid: /Variable|Condition/ },
  },
  {
    name: 'a Condition rule in a JSONPath Choice state is refused',
    source: `${DOC}state-choice.html`,
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'P' }], Default: 'P' },
        P: { Type: 'Pass', End: true },
      },
    },
    expect: { invalid: /Condition/ },
  },

  // ---------------------------------------------------------------- fields a JSONata state may not use
  {
    name: 'JSONata state with InputPath is refused',
    source: `${DOC}transforming-data.html`,
    definition: jsonata({ Type: 'Pass', InputPath: '$.a' }),
    expect: { invalid: /InputPath/ },
  },
  {
    name: 'JSONata state with Parameters is refused',
    source: `${DOC}transforming-data.html`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN } }),
    expect: { invalid: /Parameters/ },
  },
  {
    name: 'JSONata state with ResultSelector is refused',
    source: `${DOC}transforming-data.html`,
    definition: jsonata({ ...invokeJ(), ResultSelector: { 'p.$': '$.Payload' } }),
    expect: { invalid: /ResultSelector/ },
  },
  {
    name: 'JSONata state with ResultPath is refused',
    source: `${DOC}transforming-data.html`,
    definition: jsonata({ Type: 'Pass', ResultPath: '$.r' }),
    expect: { invalid: /ResultPath/ },
  },
  {
    name: 'JSONata state with OutputPath is refused',
    source: `${DOC}transforming-data.html`,
    definition: jsonata({ Type: 'Pass', OutputPath: '$.r' }),
    expect: { invalid: /OutputPath/ },
  },
  {
    name: 'a ".$" key inside JSONata Arguments is an ordinary key with a literal value',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_cases[BASE_LITERALS]`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Arguments: { FunctionName: FN, Payload: { 'x.$': '$', 'y': '$.a' } }, Output: '{% $states.result.Payload %}' }),
    input: { a: 1 },
    tasks: { [FN]: echo },
    expect: { status: 'SUCCEEDED', output: { 'x.$': '$', 'y': '$.a' } },
  },
  {
    name: 'JSONata Pass state with Result is refused',
    source: `${DOC}state-pass.html`,
    definition: jsonata({ Type: 'Pass', Result: { a: 1 } }),
    expect: { invalid: /Result/ },
  },
  {
    name: 'JSONata Map with ItemsPath is refused (Items replaces it)',
    source: `${DOC}state-map-inline.html`,
    definition: jsonata({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }),
    expect: { invalid: /ItemsPath/ },
  },
  {
    name: 'JSONPath state with Output is refused',
    source: `${DOC}transforming-data.html`,
    definition: { StartAt: 'P', States: { P: { Type: 'Pass', Output: { a: 1 }, End: true } } },
    expect: { invalid: /Output/ },
  },
  {
    name: 'JSONPath state with Arguments is refused',
    source: `${DOC}transforming-data.html`,
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: INVOKE, Arguments: { FunctionName: FN }, End: true } } },
    expect: { invalid: /Arguments/ },
  },

  // ---------------------------------------------------------------- Arguments and tasks
  {
    name: 'Arguments: expressions in nested objects and arrays reach the function; other strings stay literal',
    source: `${DOC}transforming-data.html`,
    definition: jsonata({
      Type: 'Task',
      Resource: INVOKE,
      Arguments: {
        FunctionName: FN,
        Payload: {
          direct: '{% $states.input.v %}',
          list: ['{% 1 + 1 %}', { deep: '{% $uppercase($states.input.v) %}' }, 'plain'],
          literal: 'v is {% $states.input.v %}',
          path: '$.v',
        },
      },
      Output: '{% $states.result.Payload %}',
    }),
    input: { v: 'abc' },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      output: { direct: 'abc', list: [2, { deep: 'ABC' }, 'plain'], literal: 'v is {% $states.input.v %}', path: '$.v' },
      check: r => expect(json((first(r, 'TaskScheduled').taskScheduledEventDetails as any).parameters)).toEqual({
        FunctionName: FN,
        Payload: { direct: 'abc', list: [2, { deep: 'ABC' }, 'plain'], literal: 'v is {% $states.input.v %}', path: '$.v' },
      }),
    },
  },
  {
    name: 'Arguments and Output of a lambda:invoke task, $states.result is the whole invoke result',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_task_lambda[BASE_TASK_LAMBDA]`,
    definition: jsonata({
      Type: 'Task',
      Resource: INVOKE,
      Arguments: { FunctionName: '{% $states.input.FunctionName %}', Payload: '{% $states.input.Payload %}' },
      Output: { ja_states_input: '{% $states.input %}', ja_states_result: '{% $states.result %}' },
    }, 'State0'),
    input: { FunctionName: FN, Payload: { input_value: 'string literal', input_values: [1, 2, 3] } },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
      check: r => {
        const o = r.output as any;
        expect(o.ja_states_input).toEqual({ FunctionName: FN, Payload: { input_value: 'string literal', input_values: [1, 2, 3] } });
        expect(o.ja_states_result).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { input_value: 'string literal', input_values: [1, 2, 3] }, StatusCode: 200 });
      },
    },
  },
  {
    name: 'a JSONata task without Output outputs the whole result',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_task[HEARTBEAT_SECONDS]`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Arguments: { Payload: {}, FunctionName: FN }, HeartbeatSeconds: '{% $variable := 1 %}' }, 'Start'),
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect(r.output).toMatchObject({ ExecutedVersion: '$LATEST', Payload: {}, StatusCode: 200 });
        expect(first(r, 'TaskScheduled').taskScheduledEventDetails).toMatchObject({ heartbeatInSeconds: 1 });
      },
    },
  },
  {
    name: 'TimeoutSeconds as a JSONata expression',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_task[TIMEOUT_SECONDS]`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Arguments: { Payload: {}, FunctionName: FN }, TimeoutSeconds: '{% $variable := 1 %}' }, 'Start'),
    tasks: { [FN]: () => TaskOutcome.succeed({}, { afterSeconds: 5 }) },
    expect: {
      status: 'FAILED',
      error: 'States.Timeout',
      check: r => {
        expect(first(r, 'TaskScheduled').taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 1 });
        expect(at(first(r, 'TaskTimedOut'))).toBe(1);
      },
    },
  },
  {
    name: 'HeartbeatSeconds from the input through $states.input',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_task_from_input[HEARTBEAT_SECONDS]`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Arguments: { Payload: {}, FunctionName: FN }, HeartbeatSeconds: '{% $states.input.input_value %}' }, 'Start'),
    input: { input_value: 1 },
    tasks: { [FN]: echo },
    expect: { status: 'SUCCEEDED', check: r => expect(first(r, 'TaskScheduled').taskScheduledEventDetails).toMatchObject({ heartbeatInSeconds: 1 }) },
  },
  {
    name: 'legacy Lambda resource with JSONata Arguments and Output using $states.result',
    source: `${LS}outputdecl/test_output.snapshot.json#test_base_lambda[BASE_LAMBDA]`,
    definition: {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { 'var_input_value.$': '$.input_value', 'var_constant_1': 1 }, Next: 'State0' },
        State0: {
          QueryLanguage: 'JSONata',
          Type: 'Task',
          Resource: FN,
          Arguments: {
            ja_states_input: '{% $states.input %}',
            ja_var_access: '{% $var_input_value %}',
            ja_expr: '{% $sum($states.input.input_values) + $var_constant_1 %}',
          },
          Output: {
            ja_var_access: '{% $var_input_value %}',
            ja_expr: '{% $sum($states.input.input_values) + $var_constant_1 %}',
            ja_states_input: '{% $states.input %}',
            ja_states_result: '{% $states.result %}',
            ja_states_result_access: '{% $states.result.ja_expr %}',
          },
          End: true,
        },
      },
    },
    input: { input_value: 'string literal', input_values: [1, 2, 3] },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      output: {
        ja_var_access: 'string literal',
        ja_expr: 7,
        ja_states_input: { input_value: 'string literal', input_values: [1, 2, 3] },
        ja_states_result: { ja_states_input: { input_value: 'string literal', input_values: [1, 2, 3] }, ja_var_access: 'string literal', ja_expr: 7 },
        ja_states_result_access: 7,
      },
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'TaskStateEntered', 'LambdaFunctionScheduled',
        'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'Parallel with JSONata Arguments: every branch gets the evaluated Arguments',
    source: `${DOC}state-parallel.html`,
    definition: jsonata({
      Type: 'Parallel',
      Arguments: { x: '{% $states.input.a * 2 %}' },
      Branches: [
        { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
        { StartAt: 'B', States: { B: { Type: 'Pass', Output: '{% $states.input.x + 1 %}', End: true } } },
      ],
      Output: { results: '{% $states.result %}' },
    }),
    input: { a: 5 },
    expect: { status: 'SUCCEEDED', output: { results: [{ x: 10 }, 11] } },
  },

  // ---------------------------------------------------------------- $states.errorOutput
  {
    name: '$states.errorOutput in a Catch Output, with $states.input still the state input',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_task_catch_error_output[TASK_CATCH_ERROR_OUTPUT]`,
    definition: {
      StartAt: 'Task',
      States: {
        Task: {
          Type: 'Task',
          QueryLanguage: 'JSONata',
          Resource: INVOKE,
          Arguments: { FunctionName: FN, Payload: { foo: 'foobar' } },
          Catch: [{ ErrorEquals: ['States.ALL'], Output: { stateInput: '{% $states.input %}', stateError: '{% $states.errorOutput %}' }, Next: 'Fallback' }],
          Output: { stateInput: '{% $states.input %}', stateResult: '{% $states.result %}' },
          Next: 'Finish',
        },
        Fallback: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { error: '{% $states.input %}' }, End: true },
        Finish: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { result: '{% $states.input %}' }, End: true },
      },
    },
    input: { inputData: 'dummy' },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'SUCCEEDED',
      output: { error: { stateInput: { inputData: 'dummy' }, stateError: { Error: 'Exception', Cause: LAMBDA_CAUSE } } },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskStateExited',
        'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: '$states.errorOutput: without a Catch Output the error output is the next input (JSONata to JSONPath)',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_catch_error_variable_sampling[TASK_CATCH_ERROR_VARIABLE_SAMPLING_TO_JSONPATH]`,
    definition: {
      StartAt: 'Task',
      States: {
        Task: {
          QueryLanguage: 'JSONata',
          Type: 'Task',
          Resource: INVOKE,
          Arguments: { FunctionName: FN, Payload: { foo: 'foobar' } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }],
          Next: 'Fallback',
        },
        Fallback: { Type: 'Pass', End: true },
      },
    },
    input: { inputData: 'dummy' },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: { status: 'SUCCEEDED', output: { Error: 'Exception', Cause: LAMBDA_CAUSE } },
  },
  {
    name: '$states.errorOutput after a retry is the last attempt\'s error',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_task_catch_error_with_retry[TASK_CATCH_ERROR_OUTPUT_WITH_RETRY]`,
    definition: {
      StartAt: 'Task',
      States: {
        Task: {
          Type: 'Task',
          QueryLanguage: 'JSONata',
          Resource: INVOKE,
          Arguments: { FunctionName: FN, Payload: { foo: 'foobar' } },
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Output: { stateInput: '{% $states.input %}', stateError: '{% $states.errorOutput %}' }, Next: 'Fallback' }],
          Next: 'Fallback',
        },
        Fallback: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { error: '{% $states.input %}' }, End: true },
      },
    },
    input: { inputData: 'dummy' },
    tasks: { [FN]: (req: TaskRequest) => { throw new TaskError('Exception', `attempt ${req.attempt}`); } },
    expect: {
      status: 'SUCCEEDED',
      output: { error: { stateInput: { inputData: 'dummy' }, stateError: { Error: 'Exception', Cause: 'attempt 2' } } },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskScheduled', 'TaskStarted', 'TaskFailed',
        'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: '$states.errorOutput in a Catch on a JSONata Parallel state',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_parallel_catch_error[PARALLEL_CATCH_ERROR_OUTPUT]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ParallelState',
      States: {
        ParallelState: {
          Type: 'Parallel',
          Next: 'Finish',
          Branches: [{
            StartAt: 'ExecuteLambdaTask',
            States: {
              ExecuteLambdaTask: {
                Type: 'Task',
                Resource: INVOKE,
                Arguments: { FunctionName: FN, Payload: { foo: 'foobar' } },
                Output: { InnerStateInput: '{% $states.input %}', InnerStateResult: '{% $states.result %}' },
                End: true,
              },
            },
          }],
          Catch: [{ ErrorEquals: ['States.ALL'], Output: { stateInput: '{% $states.input %}', stateError: '{% $states.errorOutput %}' }, Next: 'Fallback' }],
        },
        Fallback: { Type: 'Pass', Output: { result: '{% $states.input %}' }, End: true },
        Finish: { Type: 'Pass', Output: { result: '{% $states.input %}' }, End: true },
      },
    },
    input: { inputData: 'dummy' },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: { status: 'SUCCEEDED', output: { result: { stateInput: { inputData: 'dummy' }, stateError: { Error: 'Exception', Cause: LAMBDA_CAUSE } } } },
  },
  {
    name: '$states.errorOutput in a Catch inside a JSONata Map iteration',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_map_catch_error[MAP_CATCH_ERROR_OUTPUT]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ProcessItems',
      States: {
        ProcessItems: {
          Type: 'Map',
          Items: '{% $states.input.items %}',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'ProcessItem',
            States: {
              ProcessItem: {
                Type: 'Task',
                Resource: INVOKE,
                Arguments: { FunctionName: FN, Payload: { foo: 'foobar' } },
                Catch: [{ ErrorEquals: ['States.ALL'], Output: { stateInput: '{% $states.input %}', stateError: '{% $states.errorOutput %}' }, Next: 'Fallback' }],
                Output: { stateInput: '{% $states.input %}', stateResult: '{% $states.result %}' },
                Next: 'Finish',
              },
              Fallback: { Type: 'Pass', Output: { result: '{% $states.input %}' }, End: true },
              Finish: { Type: 'Pass', Output: { result: '{% $states.input %}' }, End: true },
            },
          },
          End: true,
        },
      },
    },
    input: { items: [1, 2, 3] },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'SUCCEEDED',
      output: [1, 2, 3].map(i => ({ result: { stateInput: i, stateError: { Error: 'Exception', Cause: LAMBDA_CAUSE } } })),
    },
  },

  // ---------------------------------------------------------------- Map Items
  {
    name: 'Map Items as an array mixing values and expressions',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_map[ITEMS_DOUBLE_QUOTES]`,
    definition: jsonata({
      Type: 'Map',
      Items: [1, "{% $number('2') %}", 3],
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'Process', States: { Process: { Type: 'Pass', End: true } } },
    }, 'Start'),
    expect: { status: 'SUCCEEDED', output: [1, 2, 3] },
  },
  {
    name: 'Map MaxConcurrency as an expression',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_map[MAX_CONCURRENCY]`,
    definition: jsonata({
      Type: 'Map',
      Items: [1],
      MaxConcurrency: '{% $variable := 1 %}',
      ItemProcessor: { StartAt: 'Process', States: { Process: { Type: 'Pass', End: true } } },
    }, 'Start'),
    expect: {
      status: 'SUCCEEDED',
      output: [1],
      eventTypes: ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'PassStateEntered', 'PassStateExited',
        'MapIterationSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'Map Items from $states.input',
    source: `${LS}evaluate_jsonata/test_base_evaluate_expressions.snapshot.json#test_base_map_from_input[ITEMS]`,
    definition: jsonata({
      Type: 'Map',
      Items: '{% $states.input.input_value %}',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'Process', States: { Process: { Type: 'Pass', End: true } } },
    }, 'Start'),
    input: { input_value: [1, 2, 3] },
    expect: { status: 'SUCCEEDED', output: [1, 2, 3] },
  },
  {
    name: 'Map Items: an expression giving a mixed array',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_eval_jsonata[mixed]`,
    definition: mapItems("{% [1, 'two', 3] %}"),
    expect: { status: 'SUCCEEDED', output: [1, 'two', 3] },
  },
  {
    name: 'Map Items: an expression giving an empty array',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_eval_jsonata[empty]`,
    definition: mapItems('{% [] %}'),
    expect: { status: 'SUCCEEDED', output: [], eventTypes: ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded'] },
  },
  {
    name: 'Map without Items iterates over the state input',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_input_array[mixed]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Output: '{% $states.input.items %}', Next: 'MapIterateState' },
        MapIterateState: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Pass', States: { Pass: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: { items: [1, 'two', 3] },
    expect: { status: 'SUCCEEDED', output: [1, 'two', 3] },
  },
  {
    name: 'Map ItemSelector with $states.context.Map.Item.Value and a variable',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_item_selector[MAP_STATE_ITEM_SELECTOR_JSONATA]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Assign: { ItemsVar: ['Item1', 'Item2'] }, Next: 'MapIterateState' },
        MapIterateState: {
          Type: 'Map',
          MaxConcurrency: 1,
          Items: '{% $ItemsVar %}',
          ItemSelector: { map_item_value: '{% $states.context.Map.Item.Value %}', var_sample: '{% $ItemsVar %}', string_literal: 'string literal' },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Pass', States: { Pass: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: ['Item1', 'Item2'].map(v => ({ map_item_value: v, var_sample: ['Item1', 'Item2'], string_literal: 'string literal' })),
    },
  },
  {
    name: 'Map Items giving a number fails with States.QueryEvaluationError',
    source: `${ITEMS_FAIL}[number]`,
    definition: mapItems('{% 1 %}'),
    expect: {
      status: 'FAILED',
      error: QE,
      cause: itemsTypeCause(2, '1', 'number', '1'),
      eventTypes: ['ExecutionStarted', 'MapStateEntered', 'EvaluationFailed', 'MapStateFailed', 'ExecutionFailed'],
      check: r => expect(first(r, 'EvaluationFailed').evaluationFailedEventDetails).toEqual({
        error: QE, cause: itemsTypeCause(2, '1', 'number', '1'), location: 'Items', state: 'MapIterateState',
      }),
    },
  },
  { name: 'Map Items giving a string fails', source: `${ITEMS_FAIL}[string]`, definition: mapItems("{% 'string' %}"), expect: { status: 'FAILED', error: QE, cause: itemsTypeCause(2, "'string'", 'string', '"string"') } },
  { name: 'Map Items giving a boolean fails', source: `${ITEMS_FAIL}[boolean]`, definition: mapItems('{% true %}'), expect: { status: 'FAILED', error: QE, cause: itemsTypeCause(2, 'true', 'boolean', 'true') } },
  { name: 'Map Items giving an object fails', source: `${ITEMS_FAIL}[object]`, definition: mapItems("{% {'foo': 'bar'} %}"), expect: { status: 'FAILED', error: QE, cause: itemsTypeCause(2, "{'foo': 'bar'}", 'object', '{"foo":"bar"}') } },
  { name: 'Map Items giving null fails', source: `${ITEMS_FAIL}[null]`, definition: mapItems('{% null %}'), expect: { status: 'FAILED', error: QE, cause: itemsTypeCause(2, 'null', 'null', 'null') } },
  {
    name: 'Map Items giving a function fails with an unsupported result type',
    source: `${ITEMS_FAIL}[function]`,
    definition: mapItems('{% $fn := function($x){$x} %}'),
    expect: {
      status: 'FAILED',
      error: QE,
      cause: "An error occurred while executing the state 'MapIterateState' (entered at the event id #2). The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type.",
    },
  },

  // ---------------------------------------------------------------- Fail and Wait
  {
    name: 'Fail Error as an expression',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_fail_error_jsonata`,
    definition: jsonata({ Type: 'Fail', Error: '{% $states.input.error %}' }, 'FailState'),
    input: { error: 'Exception' },
    expect: { status: 'FAILED', error: 'Exception', eventTypes: ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed'], check: r => expect(r.cause).toBeUndefined() },
  },
  {
    name: 'Fail Cause as an expression',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_fail_cause_jsonata`,
    definition: jsonata({ Type: 'Fail', Cause: '{% $states.input.cause %}' }, 'FailState'),
    input: { cause: 'This failed to due an Exception.' },
    expect: { status: 'FAILED', cause: 'This failed to due an Exception.', check: r => expect(r.error).toBeUndefined() },
  },
  {
    name: 'Fail Error and Cause built from the input and a variable',
    source: `${DOC}state-fail.html`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { code: 42 }, Next: 'F' },
        F: { Type: 'Fail', Error: "{% 'E' & $string($code) %}", Cause: "{% 'bad ' & $states.input.what %}" },
      },
    },
    input: { what: 'thing' },
    expect: { status: 'FAILED', error: 'E42', cause: 'bad thing' },
  },
  {
    name: 'Wait Seconds as an expression',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_wait_seconds_jsonata`,
    definition: jsonata({ Type: 'Wait', Seconds: '{% $states.input.waitSeconds %}' }, 'WaitState'),
    input: { waitSeconds: 0 },
    expect: { status: 'SUCCEEDED', output: { waitSeconds: 0 }, eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded'] },
  },
  {
    name: 'Wait Seconds expression of 25 takes 25 s of virtual time',
    source: `${DOC}state-wait.html`,
    definition: jsonata({ Type: 'Wait', Seconds: '{% $states.input.n * 5 %}' }, 'WaitState'),
    input: { n: 5 },
    expect: { status: 'SUCCEEDED', check: r => expect(at(first(r, 'WaitStateExited'))).toBe(25) },
  },
  {
    name: 'Wait Timestamp as an expression',
    source: `${WAIT_TS}[SECONDS]`,
    definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'),
    input: { TimestampValue: '2024-01-01T00:00:30Z' },
    expect: { status: 'SUCCEEDED', output: { TimestampValue: '2024-01-01T00:00:30Z' }, check: r => expect(at(first(r, 'WaitStateExited'))).toBe(30) },
  },
  {
    name: 'Wait Timestamp expression with nanoseconds',
    source: `${WAIT_TS}[NANOSECONDS]`,
    definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'),
    input: { TimestampValue: '2024-01-01T00:00:30.000000000Z' },
    expect: { status: 'SUCCEEDED', check: r => expect(at(first(r, 'WaitStateExited'))).toBe(30) },
  },
  {
    name: 'Wait Timestamp without T fails with States.QueryEvaluationError',
    source: `${WAIT_TS}[NO_T]`,
    definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'),
    input: { TimestampValue: '2016-12-05 21:29:29Z' },
    expect: {
      status: 'FAILED',
      error: QE,
      cause: timestampCause('2016-12-05 21:29:29Z'),
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'EvaluationFailed', 'ExecutionFailed'],
    },
  },
  { name: 'Wait Timestamp without Z fails', source: `${WAIT_TS}[NO_Z]`, definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'), input: { TimestampValue: '2016-12-05T21:29:29' }, expect: { status: 'FAILED', error: QE, cause: timestampCause('2016-12-05T21:29:29') } },
  { name: 'Wait Timestamp with month 13 fails', source: `${WAIT_TS}[INVALID_DATE]`, definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'), input: { TimestampValue: '2016-13-05T21:29:29Z' }, expect: { status: 'FAILED', error: QE, cause: timestampCause('2016-13-05T21:29:29Z') } },
  { name: 'Wait Timestamp with hour 25 fails', source: `${WAIT_TS}[INVALID_TIME]`, definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'), input: { TimestampValue: '2016-12-05T25:29:29Z' }, expect: { status: 'FAILED', error: QE, cause: timestampCause('2016-12-05T25:29:29Z') } },
  { name: 'Wait Timestamp day-month-year fails', source: `${WAIT_TS}[INVALID_ISO]`, definition: jsonata({ Type: 'Wait', Timestamp: '{% $states.input.TimestampValue %}' }, 'WaitState'), input: { TimestampValue: '05-12-2016T21:29:29Z' }, expect: { status: 'FAILED', error: QE, cause: timestampCause('05-12-2016T21:29:29Z') } },
  {
    name: 'JSONata Wait with SecondsPath is refused',
    source: `${DOC}state-wait.html`,
    definition: jsonata({ Type: 'Wait', SecondsPath: '$.s' }),
    expect: { invalid: /SecondsPath/ },
  },

  // ---------------------------------------------------------------- States.QueryEvaluationError
  {
    name: 'Output expression giving nothing: States.QueryEvaluationError with the recorded cause',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_undefined_reference[BASE_UNDEFINED_OUTPUT]`,
    definition: passOut('{% $doesNotExist %}', 'State0'),
    expect: {
      status: 'FAILED',
      error: QE,
      cause: undefinedCause('State0', 2, '$doesNotExist', 'Output'),
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'EvaluationFailed', 'ExecutionFailed'],
      check: r => {
        expect(first(r, 'EvaluationFailed').evaluationFailedEventDetails).toEqual({
          error: QE, cause: undefinedCause('State0', 2, '$doesNotExist', 'Output'), location: 'Output', state: 'State0',
        });
        expect(r.events.map(e => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 0], [3, 0], [4, 3]]);
      },
    },
  },
  {
    name: 'Output field giving nothing: the location names the field',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_undefined_reference[BASE_UNDEFINED_OUTPUT_FIELD]`,
    definition: passOut({ result: '{% $doesNotExist %}' }, 'State0'),
    expect: { status: 'FAILED', error: QE, cause: undefinedCause('State0', 2, '$doesNotExist', 'Output/result') },
  },
  {
    name: 'QueryEvaluationError in the third state names its entered event id',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_undefined_reference[BASE_UNDEFINED_OUTPUT_MULTIPLE_STATES]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Next: 'State1' },
        State1: { Type: 'Pass', Next: 'State2' },
        State2: { Type: 'Pass', Output: { result: '{% $doesNotExist %}' }, End: true },
      },
    },
    expect: {
      status: 'FAILED',
      error: QE,
      cause: undefinedCause('State2', 6, '$doesNotExist', 'Output/result'),
      check: r => expect(r.events.map(e => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 0], [3, 2], [4, 3], [5, 4], [6, 5], [7, 5], [8, 7]]),
    },
  },
  {
    name: 'Arguments expression giving nothing',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_undefined_reference[BASE_UNDEFINED_ARGUMENTS]`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Arguments: '{% $doesNotExist %}' }, 'State0'),
    tasks: { [FN]: echo },
    expect: {
      status: 'FAILED',
      error: QE,
      cause: undefinedCause('State0', 2, '$doesNotExist', 'Arguments'),
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'EvaluationFailed', 'ExecutionFailed'],
    },
  },
  {
    name: 'Arguments field giving nothing',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_undefined_reference[BASE_UNDEFINED_ARGUMENTS_FIELD]`,
    definition: jsonata({ Type: 'Task', Resource: INVOKE, Arguments: { FunctionName: '{% $doesNotExist %}' } }, 'State0'),
    tasks: { [FN]: echo },
    expect: { status: 'FAILED', error: QE, cause: undefinedCause('State0', 2, '$doesNotExist', 'Arguments/FunctionName') },
  },
  {
    name: 'an expression that throws fails with States.QueryEvaluationError',
    source: `${DOC}concepts-error-handling.html`,
    definition: passOut("{% $number('not a number') + $error('custom failure') %}", 'State0'),
    expect: {
      status: 'FAILED',
      error: QE,
      cause: /^An error occurred while executing the state 'State0' \(entered at the event id #2\)\./,
    },
  },
  {
    name: 'a field of an input that does not exist gives nothing, which is an error',
    source: `${DOC}transforming-data.html`,
    definition: passOut({ a: '{% $states.input.missing %}' }, 'State0'),
    input: { present: 1 },
    expect: { status: 'FAILED', error: QE, cause: undefinedCause('State0', 2, '$states.input.missing', 'Output/a') },
  },
];
