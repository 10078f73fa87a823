/**
 * Workflow variables: Assign in JSONPath and JSONata states, on Choice rules and in Catch, the
 * order of evaluation, `$x` references in JSONPath fields, scoping in Parallel and Map, and the
 * `assignedVariables` detail of StateExited events.
 */
import { CONFORMANCE_START, ConformanceCase } from './case';
import { at, DOC, echo, fails, INVOKE, LAMBDA_CAUSE, LS, QE, types } from './helpers';
import type { ExecutionResult, TaskRequest } from '../../../src/engine/types';
import { TaskError, TaskOutcome } from '../../../src/engine/types';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const VARS_DOC = `${DOC}workflow-variables.html`;
const EXEC_ARN = 'arn:aws:states:us-east-1:123456789012:execution:LocalStateMachine:local-execution';


const exited = (r: ExecutionResult) => r.events.filter(e => e.type.endsWith('StateExited'));
/** The StateExited event of the `n`th visit of a state. */
const exitOf = (r: ExecutionResult, state: string, n = 0): Record<string, any> => {
  const e = exited(r).filter(x => (x.stateExitedEventDetails as any)?.name === state)[n];
  if (!e) throw new Error(`no StateExited for ${state} #${n} in ${types(r).join(',')}`);
  return e.stateExitedEventDetails as Record<string, any>;
};
/** assignedVariables as GetExecutionHistory gives them: each value a JSON text. */
const rawVars = (r: ExecutionResult, state: string, n = 0): Record<string, string> => exitOf(r, state, n).assignedVariables;
/** assignedVariables, each value parsed. */
const vars = (r: ExecutionResult, state: string, n = 0): Record<string, unknown> => {
  const raw = rawVars(r, state, n);
  if (!raw) throw new Error(`no assignedVariables on ${state}`);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => {
    expect(typeof v).toBe('string');
    return [k, JSON.parse(v)];
  }));
};

const single = (state: object, name = 'S') => ({ StartAt: name, States: { [name]: { ...state, End: true } } });
const undefinedCause = (state: string, id: number, expr: string, field: string) =>
  `An error occurred while executing the state '${state}' (entered at the event id #${id}). The JSONata expression '${expr}' specified for the field '${field}' returned nothing (undefined).`;

const CONSTANTS = {
  constant_null: null,
  constant_int: 0,
  constant_float: 0.1,
  constant_bool: true,
  constant_str: 'constant string',
  constant_str_path_root: '$',
  constant_str_path: '$.no.such.path',
  constant_str_contextpath_root: '$$',
  constant_str_contextpath: '$$.Execution.Id',
  constant_str_var: '$noSuchVar',
  constant_str_var_expr: '$noSuchVar.noSuchMember',
  constant_str_intrinsic_func: "States.Format('Format Func {}', $varname)",
  constant_str_jsonata_expr: '{% $varname.varfield %}',
  constant_lst_empty: [],
  constant_lst: [null, 0, 0.1, true, '$.no.such.path', '$varname', '{% $varname %}', '$$', "States.Format('{}', $varname)", [], { constant: 0 }],
  constant_obj_empty: {},
  constant_obj: { in_obj_constant_int: 0, in_obj_constant_str_path: '$.no.such.path', in_obj_constant_lst: ['$varname', '{% $varname %}'] },
};

const ITEMS_VAR = (value: unknown) => ({
  QueryLanguage: 'JSONata',
  StartAt: 'Start',
  States: {
    Start: { Type: 'Pass', Assign: { ItemsVar: value }, Next: 'MapIterateState' },
    MapIterateState: {
      Type: 'Map',
      MaxConcurrency: 1,
      Items: '{% $ItemsVar %}',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Pass', States: { Pass: { Type: 'Pass', End: true } } },
      End: true,
    },
  },
});
const itemsVarCause = (type: string, value: string) =>
  `An error occurred while executing the state 'MapIterateState' (entered at the event id #4). The JSONata expression '$ItemsVar' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${type}' for value: ${value}`;
const ITEMS_VAR_SRC = `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_eval_jsonata_variable_sampling_fail`;

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- assignedVariables
  {
    name: 'a state without Assign has no assignedVariables on its StateExited event',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_EMPTY]`,
    definition: single({ Type: 'Pass' }, 'State0'),
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      output: { input_value: 'input_value_literal' },
      check: r => {
        expect(exitOf(r, 'State0')).not.toHaveProperty('assignedVariables');
        expect(exitOf(r, 'State0')).not.toHaveProperty('assignedVariablesDetails');
      },
    },
  },
  {
    name: 'assignedVariables: every value is the JSON text of the value; JSONPath-looking strings are literals',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_CONSTANT_LITERALS]`,
    definition: single({ Type: 'Pass', Assign: CONSTANTS }, 'State0'),
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      output: { input_value: 'input_value_literal' },
      check: r => {
        const raw = rawVars(r, 'State0');
        expect(raw).toMatchObject({
          constant_bool: 'true',
          constant_float: '0.1',
          constant_int: '0',
          constant_null: 'null',
          constant_str: '"constant string"',
          constant_str_path_root: '"$"',
          constant_str_path: '"$.no.such.path"',
          constant_str_contextpath: '"$$.Execution.Id"',
          constant_str_var: '"$noSuchVar"',
          constant_str_intrinsic_func: "\"States.Format('Format Func {}', $varname)\"",
          constant_str_jsonata_expr: '"{% $varname.varfield %}"',
          constant_lst_empty: '[]',
          constant_lst: "[null,0,0.1,true,\"$.no.such.path\",\"$varname\",\"{% $varname %}\",\"$$\",\"States.Format('{}', $varname)\",[],{\"constant\":0}]",
          constant_obj_empty: '{}',
        });
        expect(JSON.parse(raw.constant_obj)).toEqual(CONSTANTS.constant_obj);
        expect(Object.keys(raw).sort()).toEqual(Object.keys(CONSTANTS).sort());
        expect(exitOf(r, 'State0').assignedVariablesDetails).toEqual({ truncated: false });
      },
    },
  },
  {
    name: 'Assign with ".$" keys: paths, the context object and intrinsic functions',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_PATHS]`,
    definition: single({
      Type: 'Pass',
      Assign: {
        'str_path_root.$': '$',
        'str_path.$': '$.input_value',
        'str_contextpath.$': '$$.Execution.Id',
        'str_intrinsic_func.$': "States.Format('Format Func {}', $.input_value)",
      },
    }, 'State0'),
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      check: r => expect(vars(r, 'State0')).toEqual({
        str_path_root: { input_value: 'input_value_literal' },
        str_path: 'input_value_literal',
        str_contextpath: EXEC_ARN,
        str_intrinsic_func: 'Format Func input_value_literal',
      }),
    },
  },
  {
    name: 'Assign "$$" stores the whole context object',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_PATHS]`,
    definition: single({ Type: 'Pass', Assign: { 'ctx.$': '$$' } }, 'State0'),
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const ctx = vars(r, 'State0').ctx as any;
        expect(ctx.Execution).toMatchObject({ Id: EXEC_ARN, Input: { input_value: 'input_value_literal' }, Name: 'local-execution', RedriveCount: 0 });
        expect(ctx.StateMachine).toEqual({ Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:LocalStateMachine', Name: 'LocalStateMachine' });
        expect(ctx.State.Name).toBe('State0');
      },
    },
  },
  {
    name: 'variables read back with "$name" and "$name.field" in a later Assign',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_VAR]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { 'varname.$': '$.input_value', ...CONSTANTS }, Next: 'State1' },
        State1: {
          Type: 'Pass',
          Assign: {
            'varname2': 'varname2',
            'v_null.$': '$constant_null',
            'v_int.$': '$constant_int',
            'v_str.$': '$constant_str',
            'v_str_var.$': '$constant_str_var',
            'v_lst.$': '$constant_lst',
            'v_obj.$': '$constant_obj',
            'v_obj_access.$': '$constant_obj.in_obj_constant_lst',
            'v_varname.$': '$varname',
          },
          End: true,
        },
      },
    },
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      output: { input_value: 'input_value_literal' },
      check: r => expect(vars(r, 'State1')).toEqual({
        varname2: 'varname2',
        v_null: null,
        v_int: 0,
        v_str: 'constant string',
        v_str_var: '$noSuchVar',
        v_lst: CONSTANTS.constant_lst,
        v_obj: CONSTANTS.constant_obj,
        v_obj_access: ['$varname', '{% $varname %}'],
        v_varname: 'input_value_literal',
      }),
    },
  },
  {
    name: 'a later Assign overwrites a variable; the same state can read the old value',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_assign_from_value[BASE_ASSIGN_FROM_PARAMETERS]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Parameters: { input: 'PENDING' }, Assign: { 'result.$': '$.input' }, Next: 'State1' },
        State1: { Type: 'Pass', Assign: { 'result': 'SUCCESS', 'originalResult.$': '$.input' }, End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { input: 'PENDING' },
      check: r => {
        expect(rawVars(r, 'State0')).toEqual({ result: '"PENDING"' });
        expect(rawVars(r, 'State1')).toEqual({ originalResult: '"PENDING"', result: '"SUCCESS"' });
      },
    },
  },
  {
    name: 'JSONPath Assign: "$" is the state result (the Pass Result), not the input',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_assign_from_value[BASE_ASSIGN_FROM_RESULT]`,
    definition: single({ Type: 'Pass', Result: { answer: 42 }, Assign: { 'theAnswer.$': '$.answer' } }, 'State0'),
    input: { answer: 'from input' },
    expect: { status: 'SUCCEEDED', output: { answer: 42 }, check: r => expect(rawVars(r, 'State0')).toEqual({ theAnswer: '42' }) },
  },
  {
    name: 'JSONPath Assign on a Lambda task: "$" is the invoke result; variables in TimeoutSecondsPath and Parameters',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_variables_in_lambda_task[BASE_ASSIGN_FROM_LAMBDA_TASK_RESULT]`,
    definition: {
      StartAt: 'Pass',
      States: {
        Pass: { Type: 'Pass', Assign: { 'functionName.$': '$.FunctionName', 'inputData': { foo: 'oof', bar: 'rab' }, 'timeout': 300 }, Next: 'Task' },
        Task: {
          Type: 'Task',
          Resource: INVOKE,
          TimeoutSecondsPath: '$timeout',
          Parameters: { 'Payload.$': '$inputData', 'FunctionName.$': '$functionName' },
          Assign: { 'result.$': '$.Payload' },
          OutputPath: '$.Payload',
          Next: 'End',
        },
        End: { Type: 'Pass', Assign: { 'previousResult.$': '$result', 'timeout': 150 }, End: true },
      },
    },
    input: { FunctionName: FN },
    tasks: { [FN]: () => 'HelloWorld!' },
    expect: {
      status: 'SUCCEEDED',
      output: 'HelloWorld!',
      check: r => {
        expect(rawVars(r, 'Task')).toEqual({ result: '"HelloWorld!"' });
        expect(rawVars(r, 'End')).toEqual({ previousResult: '"HelloWorld!"', timeout: '150' });
        expect(r.events.find(e => e.type === 'TaskScheduled')!.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 300 });
      },
    },
  },
  {
    name: 'evaluation order: InputPath and OutputPath read the variable as it was on entry, Assign sets the new value',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: {
          Type: 'Pass',
          Result: { theQuestion: 'What is the answer to life the universe and everything?' },
          Assign: { 'question.$': '$.theQuestion', 'answer': 42 },
          Next: 'State1',
        },
        State1: { Type: 'Pass', InputPath: '$answer', ResultPath: '$.theAnswer', OutputPath: '$answer', Assign: { answer: '<omitted>' }, End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: 42,
      check: r => {
        expect(rawVars(r, 'State0')).toEqual({ answer: '42', question: '"What is the answer to life the universe and everything?"' });
        expect(rawVars(r, 'State1')).toEqual({ answer: '"<omitted>"' });
      },
    },
  },
  {
    name: 'evaluation order (JSONata): Output sees the value from before the Assign of the same state',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { x: 1 }, Next: 'B' },
        B: { Type: 'Pass', Assign: { x: '{% $x + 10 %}' }, Output: { seen: '{% $x %}' }, Next: 'C' },
        C: { Type: 'Pass', Output: { seen: '{% $x %}' }, End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { seen: 11 },
      check: r => {
        expect(JSON.parse(exitOf(r, 'B').output)).toEqual({ seen: 1 });
        expect(rawVars(r, 'B')).toEqual({ x: '11' });
      },
    },
  },
  {
    name: 'evaluation order: all assignments of one Assign read the values from before it (a swap works)',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { a: 1, b: 2 }, Next: 'B' },
        B: { Type: 'Pass', Assign: { a: '{% $b %}', b: '{% $a %}' }, Output: { a: '{% $a %}', b: '{% $b %}' }, Next: 'C' },
        C: { Type: 'Pass', Output: { a: '{% $a %}', b: '{% $b %}' }, End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: { a: 2, b: 1 } },
  },
  {
    name: 'JSONata Assign on a task sees $states.result; Output sees it too',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_task_dataflow_to_state`,
    definition: {
      StartAt: 'StateJsonPath',
      States: {
        StateJsonPath: {
          QueryLanguage: 'JSONPath',
          Type: 'Pass',
          Result: { riddle: 'What is the answer to life, the universe, and everything?' },
          Assign: { 'answer': 42, 'inputData.$': '$' },
          OutputPath: '$',
          ResultPath: '$.enigma.mystery',
          Next: 'StateJsonata',
        },
        StateJsonata: {
          QueryLanguage: 'JSONata',
          Type: 'Task',
          Resource: INVOKE,
          Arguments: {
            FunctionName: '{% $states.input.functionName %}',
            Payload: { theQuestion: '{% $states.input.enigma.mystery.riddle %}', theAnswer: '{% $answer %}' },
          },
          Assign: { answer: '<omitted>', message: '{% $states.result.Payload %}' },
          Output: { result: '{% $states.result.Payload %}', answerSeen: '{% $answer %}' },
          End: true,
        },
      },
    },
    input: { functionName: FN },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      output: { result: { theQuestion: 'What is the answer to life, the universe, and everything?', theAnswer: 42 }, answerSeen: 42 },
      check: r => {
        expect(vars(r, 'StateJsonPath')).toEqual({ answer: 42, inputData: { riddle: 'What is the answer to life, the universe, and everything?' } });
        expect(vars(r, 'StateJsonata')).toEqual({
          answer: '<omitted>',
          message: { theQuestion: 'What is the answer to life, the universe, and everything?', theAnswer: 42 },
        });
      },
    },
  },
  {
    name: 'a JSONata Assign stores the whole legacy Lambda result',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_lambda_task_resource_data_flow[TASK_LAMBDA_LEGACY_RESOURCE_JSONATA_TO_JSONPATH]`,
    definition: {
      StartAt: 'JsonataState',
      States: {
        JsonataState: {
          QueryLanguage: 'JSONata',
          Type: 'Task',
          Resource: FN,
          Arguments: { Payload: { foo: 'foo-1' } },
          Assign: { resultsVar: '{% $states.result %}' },
          Output: { results: '{% $states.result %}' },
          Next: 'JsonPathState',
        },
        JsonPathState: { QueryLanguage: 'JSONPath', Type: 'Pass', Parameters: { 'fromVar.$': '$resultsVar' }, End: true },
      },
    },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      output: { fromVar: { Payload: { foo: 'foo-1' } } },
      check: r => {
        expect(vars(r, 'JsonataState')).toEqual({ resultsVar: { Payload: { foo: 'foo-1' } } });
        expect(JSON.parse(exitOf(r, 'JsonataState').output)).toEqual({ results: { Payload: { foo: 'foo-1' } } });
      },
    },
  },

  // ---------------------------------------------------------------- mixed languages
  {
    name: 'a JSONPath state reads a variable another JSONPath state set',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_variable_sampling[JSONATA_ASSIGN_JSONPATH_REF]`,
    definition: {
      StartAt: 'JSONataState',
      States: {
        JSONataState: { QueryLanguage: 'JSONPath', Type: 'Pass', Assign: { theAnswerVar: 42 }, Next: 'JSONPathState' },
        JSONPathState: { QueryLanguage: 'JSONPath', Type: 'Pass', Assign: { 'theAnswerVar': 18, 'oldAnswerVar.$': '$theAnswerVar' }, End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: {},
      check: r => {
        expect(rawVars(r, 'JSONataState')).toEqual({ theAnswerVar: '42' });
        expect(rawVars(r, 'JSONPathState')).toEqual({ oldAnswerVar: '42', theAnswerVar: '18' });
      },
    },
  },
  {
    name: 'a JSONata state reads a variable a JSONPath state set',
    source: `${LS}query_language/test_mixed_query_language.snapshot.json#test_variable_sampling[JSONPATH_ASSIGN_JSONATA_REF]`,
    definition: {
      StartAt: 'JSONPathState',
      States: {
        JSONPathState: { QueryLanguage: 'JSONPath', Type: 'Pass', Assign: { theAnswer: 42 }, Next: 'JSONataState' },
        JSONataState: { QueryLanguage: 'JSONata', Type: 'Pass', Assign: { theAnswer: 18, oldAnswer: '{% $theAnswer %}' }, End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: {},
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      check: r => expect(rawVars(r, 'JSONataState')).toEqual({ oldAnswer: '42', theAnswer: '18' }),
    },
  },

  // ---------------------------------------------------------------- references in JSONPath fields
  {
    name: '"$result" without ".$" is a literal; "result.$": "$result" reads the variable',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_PARAMETERS]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Parameters: { result: '$result' }, Assign: { result: 'foobar' }, Next: 'State1' },
        State1: { Type: 'Pass', ResultPath: '$.result', Parameters: { 'result.$': '$result' }, End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: { result: { result: 'foobar' } } },
  },
  {
    name: 'a variable in InputPath',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_INPUTPATH]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { theAnswer: 42 }, Next: 'State1' },
        State1: { Type: 'Pass', InputPath: '$theAnswer', End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: 42 },
  },
  {
    name: 'a variable in OutputPath',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_OUTPUTPATH]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Result: { answer: 42 }, Assign: { 'theAnswer.$': '$.answer' }, Next: 'State1' },
        State1: { Type: 'Pass', OutputPath: '$theAnswer', End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: 42 },
  },
  {
    name: 'variables in a Choice rule: Variable and StringEqualsPath, in a loop',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_CHOICE]`,
    definition: {
      StartAt: 'Setup',
      States: {
        Setup: { Type: 'Pass', Assign: { guess: 'the_guess', answer: 'the_answer' }, Next: 'CheckAnswer' },
        CheckAnswer: { Type: 'Choice', Choices: [{ Variable: '$guess', StringEqualsPath: '$answer', Next: 'CorrectAnswer' }], Default: 'WrongAnswer' },
        CorrectAnswer: { Type: 'Pass', Result: { state: 'CORRECT' }, End: true },
        WrongAnswer: { Type: 'Pass', Assign: { 'guess.$': '$answer' }, Result: { state: 'WRONG' }, Next: 'CheckAnswer' },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { state: 'CORRECT' },
      transitions: 5,
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited',
        'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      check: r => expect(rawVars(r, 'WrongAnswer')).toEqual({ guess: '"the_answer"' }),
    },
  },
  {
    name: 'variables in intrinsic functions',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_INTRINSIC_FUNCTION]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { rawString: 'Hello World', value1: 5, value2: 3, inputArray: [1, 2, 3] }, Next: 'State1' },
        State1: {
          Type: 'Pass',
          Parameters: {
            'encoded.$': 'States.Base64Encode($rawString)',
            'sum.$': 'States.MathAdd($value1, $value2)',
            'formatted.$': "States.Format('{} and {}', $value1, $rawString)",
            'length.$': 'States.ArrayLength($inputArray)',
          },
          End: true,
        },
      },
    },
    expect: { status: 'SUCCEEDED', output: { encoded: 'SGVsbG8gV29ybGQ=', sum: 8, formatted: '5 and Hello World', length: 3 } },
  },
  {
    name: 'variables in Wait SecondsPath and TimestampPath',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_WAIT]`,
    definition: {
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Assign: { waitTime: 30, startAt: '2024-01-01T00:05:00Z' }, Next: 'WaitSecondsState' },
        WaitSecondsState: { Type: 'Wait', SecondsPath: '$waitTime', Next: 'WaitUntilState' },
        WaitUntilState: { Type: 'Wait', TimestampPath: '$startAt', End: true },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: {},
      check: r => {
        const exits = r.events.filter(e => e.type === 'WaitStateExited').map(at);
        expect(exits).toEqual([30, 300]);
      },
    },
  },
  {
    name: 'variables in Fail ErrorPath and CausePath',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_FAIL]`,
    definition: {
      StartAt: 'Pass',
      States: {
        Pass: { Type: 'Pass', Assign: { errorVar: 'Exception', causeVar: 'An Exception was encountered' }, Next: 'Fail' },
        Fail: { Type: 'Fail', CausePath: '$causeVar', ErrorPath: '$errorVar' },
      },
    },
    expect: { status: 'FAILED', error: 'Exception', cause: 'An Exception was encountered' },
  },
  {
    name: 'variables in the Parameters of a Lambda task',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_variables_in_lambda_task[BASE_REFERENCE_IN_LAMBDA_TASK_FIELDS]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { 'functionName.$': '$.FunctionName', 'jobParameters': { inputData: 'sample data', configOption: 'value1' } }, Next: 'State1' },
        State1: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { 'FunctionName.$': '$functionName', 'Payload': { 'data.$': '$jobParameters' } },
          OutputPath: '$.Payload',
          End: true,
        },
      },
    },
    input: { FunctionName: FN },
    tasks: { [FN]: echo },
    expect: {
      status: 'SUCCEEDED',
      output: { data: { inputData: 'sample data', configOption: 'value1' } },
      check: r => expect(JSON.parse((r.events.find(e => e.type === 'TaskScheduled')!.taskScheduledEventDetails as any).parameters)).toEqual({
        FunctionName: FN, Payload: { data: { inputData: 'sample data', configOption: 'value1' } },
      }),
    },
  },
  {
    name: 'a reference to an undefined variable in a JSONPath field fails with States.Runtime',
    source: VARS_DOC,
    definition: single({ Type: 'Pass', Parameters: { 'v.$': '$neverAssigned' } }),
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },

  // ---------------------------------------------------------------- Choice
  {
    name: 'JSONata Choice: the matched rule\'s Assign is used, not the state\'s',
    source: `${LS}assign/test_assign_base.snapshot.json#test_assign_in_choice[CONDITION_TRUE]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ChoiceState',
      States: {
        ChoiceState: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.condition %}', Next: 'ConditionTrue', Assign: { Assignment: 'Condition assignment' } }],
          Default: 'DefaultState',
          Assign: { Assignment: 'Default Assignment' },
        },
        ConditionTrue: { Type: 'Pass', End: true },
        DefaultState: { Type: 'Fail', Cause: 'Condition is false' },
      },
    },
    input: { condition: true },
    expect: {
      status: 'SUCCEEDED',
      output: { condition: true },
      check: r => {
        expect(rawVars(r, 'ChoiceState')).toEqual({ Assignment: '"Condition assignment"' });
        expect(exitOf(r, 'ConditionTrue')).not.toHaveProperty('assignedVariables');
      },
    },
  },
  {
    name: 'JSONata Choice: going to Default uses the state\'s Assign',
    source: `${LS}assign/test_assign_base.snapshot.json#test_assign_in_choice[CONDITION_FALSE]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'ChoiceState',
      States: {
        ChoiceState: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.condition %}', Next: 'ConditionTrue', Assign: { Assignment: 'Condition assignment' } }],
          Default: 'DefaultState',
          Assign: { Assignment: 'Default Assignment' },
        },
        ConditionTrue: { Type: 'Pass', End: true },
        DefaultState: { Type: 'Fail', Cause: 'Condition is false' },
      },
    },
    input: { condition: false },
    expect: {
      status: 'FAILED',
      cause: 'Condition is false',
      check: r => expect(rawVars(r, 'ChoiceState')).toEqual({ Assignment: '"Default Assignment"' }),
    },
  },
  ...([
    ['a string "42" does not match NumericEquals 42: the default Assign applies', { input_value: '42' }, 'INCORRECT', { guess: '"42"', status: '"INCORRECT"' }, `${LS}assign/test_assign_reference_variables.snapshot.json#test_assign_in_choice_state[CORRECT]`],
    ['"0" goes to Default', { input_value: '0' }, 'INCORRECT', { guess: '"0"', status: '"INCORRECT"' }, `${LS}assign/test_assign_reference_variables.snapshot.json#test_assign_in_choice_state[INCORRECT]`],
    ['42 matches NumericEquals: only that rule\'s Assign applies', { input_value: 42 }, 'CORRECT', { status: '"CORRECT"' }, VARS_DOC],
    ['a missing field matches IsPresent false first', {}, 'UNKNOWN', { status: '"UNKNOWN"' }, VARS_DOC],
  ] as const).map(([title, input, result, assigned, source]): ConformanceCase => ({
    name: `JSONPath Choice Assign: ${title}`,
    source,
    definition: {
      StartAt: 'CheckInputState',
      States: {
        CheckInputState: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.input_value', IsPresent: false, Assign: { status: 'UNKNOWN' }, Next: 'FinalState' },
            { Variable: '$.input_value', NumericEquals: 42, Assign: { status: 'CORRECT' }, Next: 'FinalState' },
          ],
          Assign: { 'status': 'INCORRECT', 'guess.$': '$.input_value' },
          Default: 'FinalState',
        },
        FinalState: { Type: 'Pass', Parameters: { 'result.$': '$status' }, End: true },
      },
    },
    input,
    expect: {
      status: 'SUCCEEDED',
      output: { result },
      check: r => expect(rawVars(r, 'CheckInputState')).toEqual(assigned),
    },
  })),

  // ---------------------------------------------------------------- Wait and Catch
  {
    name: 'Assign on a Wait state',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_assign_in_wait_state`,
    definition: single({ Type: 'Wait', Seconds: 0, Assign: { foo: 'oof' } }, 'WaitState'),
    expect: {
      status: 'SUCCEEDED',
      output: {},
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded'],
      check: r => expect(rawVars(r, 'WaitState')).toEqual({ foo: '"oof"' }),
    },
  },
  {
    name: 'JSONata Catch Assign with $states.errorOutput; the state\'s own Assign is not applied',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_assign_in_catch_state`,
    definition: {
      StartAt: 'Task',
      States: {
        Task: {
          QueryLanguage: 'JSONata',
          Type: 'Task',
          Resource: INVOKE,
          Assign: { result: 'SUCCESS' },
          Arguments: { FunctionName: '{% $states.input.input_value %}', Payload: { foo: 'oof' } },
          Catch: [{ ErrorEquals: ['States.ALL'], Assign: { result: '{% $states.errorOutput %}' }, Next: 'fallback' }],
          End: true,
        },
        fallback: { Type: 'Pass', End: true },
      },
    },
    input: { input_value: FN },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'SUCCEEDED',
      output: { Error: 'Exception', Cause: LAMBDA_CAUSE },
      eventTypes: ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskStateExited',
        'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      check: r => expect(vars(r, 'Task')).toEqual({ result: { Error: 'Exception', Cause: LAMBDA_CAUSE } }),
    },
  },
  {
    name: 'JSONata Catch Assign and Output both see $states.input and $states.errorOutput',
    source: `${LS}states_variables/test_error_output.snapshot.json#test_catch_error_variable_sampling[TASK_CATCH_ERROR_VARIABLE_SAMPLING]`,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'Task',
      States: {
        Task: {
          Type: 'Task',
          Resource: INVOKE,
          Arguments: { FunctionName: FN, Payload: { foo: 'foobar' } },
          Catch: [{ ErrorEquals: ['States.ALL'], Assign: { inputVar: '{% $states.input %}', errorVar: '{% $states.errorOutput %}' }, Next: 'Fallback' }],
          Assign: { inputVar: '{% $states.input %}', resultVar: '{% $states.result %}' },
          Next: 'Finish',
        },
        Fallback: { Type: 'Pass', Output: { error: '{% $errorVar %}', input: '{% $inputVar %}' }, End: true },
        Finish: { Type: 'Pass', Output: { result: '{% $resultVar %}' }, End: true },
      },
    },
    input: { inputData: 'dummy' },
    tasks: { [FN]: fails('Exception', LAMBDA_CAUSE) },
    expect: {
      status: 'SUCCEEDED',
      output: { error: { Error: 'Exception', Cause: LAMBDA_CAUSE }, input: { inputData: 'dummy' } },
      check: r => {
        expect(vars(r, 'Task')).toEqual({ errorVar: { Error: 'Exception', Cause: LAMBDA_CAUSE }, inputVar: { inputData: 'dummy' } });
        expect(JSON.parse(exitOf(r, 'Task').output)).toEqual({ Error: 'Exception', Cause: LAMBDA_CAUSE });
      },
    },
  },
  {
    name: 'JSONPath Catch Assign: "$" is the error output',
    source: VARS_DOC,
    definition: {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { 'FunctionName': FN, 'Payload.$': '$' },
          Catch: [{ ErrorEquals: ['States.ALL'], Assign: { 'err.$': '$.Error', 'why.$': '$.Cause' }, ResultPath: '$.e', Next: 'P' }],
          End: true,
        },
        P: { Type: 'Pass', Parameters: { 'err.$': '$err', 'why.$': '$why', 'kept.$': '$.k' }, End: true },
      },
    },
    input: { k: 1 },
    tasks: { [FN]: fails('Boom', 'because') },
    expect: { status: 'SUCCEEDED', output: { err: 'Boom', why: 'because', kept: 1 } },
  },
  {
    name: 'the Output of a task cannot see a variable its own Assign creates',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: INVOKE,
          Arguments: { FunctionName: FN, Payload: { n: 1 } },
          Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Assign: { attempt: '{% $states.result.Payload.attempt %}' },
          Output: '{% $attempt %}',
          Next: 'P',
        },
        P: { Type: 'Pass', Output: '{% $attempt %}', End: true },
      },
    },
    tasks: { [FN]: (req: TaskRequest) => { if (req.attempt < 2) throw new TaskError('Boom', 'first'); return { attempt: req.attempt }; } },
    expect: {
      status: 'FAILED',
      error: QE,
      cause: undefinedCause('T', 2, '$attempt', 'Output'),
    },
  },
  {
    name: 'a retried task assigns its variables from the successful attempt (read in the next state)',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: INVOKE,
          Arguments: { FunctionName: FN, Payload: { n: 1 } },
          Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Assign: { attempt: '{% $states.result.Payload.attempt %}' },
          Next: 'P',
        },
        P: { Type: 'Pass', Output: '{% $attempt %}', End: true },
      },
    },
    tasks: { [FN]: (req: TaskRequest) => { if (req.attempt < 2) throw new TaskError('Boom', 'first'); return { attempt: req.attempt }; } },
    expect: { status: 'SUCCEEDED', output: 2, check: r => expect(rawVars(r, 'T')).toEqual({ attempt: '2' }) },
  },

  // ---------------------------------------------------------------- scope: Map and Parallel
  {
    name: 'Map: inner states read outer variables; ItemsPath can be a variable; the outer variable is unchanged after',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_cases[BASE_SCOPE_MAP]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { x: 42, items: [1, 2, 3] }, Next: 'State1' },
        State1: {
          Type: 'Map',
          ItemsPath: '$items',
          MaxConcurrency: 1,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { 'innerX.$': '$x' }, End: true } } },
          Next: 'State2',
        },
        State2: { Type: 'Pass', Assign: { 'final.$': '$x' }, End: true },
      },
    },
    input: { input_value: 'input_value_literal' },
    expect: {
      status: 'SUCCEEDED',
      output: [1, 2, 3],
      check: r => {
        expect(rawVars(r, 'State0')).toEqual({ items: '[1,2,3]', x: '42' });
        for (const n of [0, 1, 2]) expect(rawVars(r, 'Inner', n)).toEqual({ innerX: '42' });
        expect(exitOf(r, 'State1')).not.toHaveProperty('assignedVariables');
        expect(rawVars(r, 'State2')).toEqual({ final: '42' });
      },
    },
  },
  {
    name: 'Parallel: every branch reads the outer variable',
    source: `${LS}assign/test_assign_base.snapshot.json#test_base_parallel_cases[BASE_SCOPE_PARALLEL]`,
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Assign: { x: 42 }, Next: 'State1' },
        State1: {
          Type: 'Parallel',
          End: true,
          Branches: ['Branch1', 'Branch21', 'Branch31'].map(b => ({ StartAt: b, States: { [b]: { Type: 'Pass', Assign: { 'innerX.$': '$x', 'value.$': '$' }, End: true } } })),
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: [{}, {}, {}],
      check: r => {
        for (const b of ['Branch1', 'Branch21', 'Branch31']) expect(rawVars(r, b)).toEqual({ innerX: '42', value: '{}' });
      },
    },
  },
  {
    name: 'nested Maps read variables of every enclosing scope',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_reference_assign[BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE]`,
    definition: {
      StartAt: 'Input',
      States: {
        Input: { Type: 'Pass', Result: [[9, 44, 6], [82, 25, 76], [18, 42, 2]], Assign: { bias: 4.3 }, Next: 'IterateLevels' },
        IterateLevels: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'AssignCurrentVector',
            States: {
              AssignCurrentVector: { Type: 'Pass', Assign: { 'xCurrent.$': '$[0]', 'yCurrent.$': '$[1]', 'zCurrent.$': '$[2]' }, Next: 'Calculate' },
              Calculate: {
                Type: 'Map',
                MaxConcurrency: 1,
                ItemProcessor: {
                  ProcessorConfig: { Mode: 'INLINE' },
                  StartAt: 'Summate',
                  States: { Summate: { Type: 'Pass', Assign: { 'Sum.$': 'States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)' }, End: true } },
                },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: [[9, 44, 6], [82, 25, 76], [18, 42, 2]],
      check: r => {
        const sums = exited(r).filter(e => (e.stateExitedEventDetails as any).name === 'Summate').map(e => (e.stateExitedEventDetails as any).assignedVariables.Sum);
        expect(sums).toEqual(['63', '63', '63', '187', '187', '187', '66', '66', '66']);
      },
    },
  },
  {
    name: 'Map: a variable assigned inside an iteration is not visible after the Map',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: [1],
          ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { innerOnly: 'set inside' }, End: true } } },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: '{% $innerOnly %}', End: true },
      },
    },
    expect: { status: 'FAILED', error: QE, cause: undefinedCause('After', 10, '$innerOnly', 'Output') },
  },
  {
    name: 'Parallel: a variable assigned in one branch is not visible in another branch',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 1, Assign: { fromA: 1 }, End: true } } },
            { StartAt: 'B1', States: { B1: { Type: 'Wait', Seconds: 5, Next: 'B2' }, B2: { Type: 'Pass', Output: '{% $exists($fromA) %}', End: true } } },
          ],
          End: true,
        },
      },
    },
    expect: { status: 'SUCCEEDED', output: [{}, false] },
  },
  {
    name: 'Map: an iteration assigning a variable of the outer scope does not change it outside',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { counter: 0 }, Next: 'M' },
        M: {
          Type: 'Map',
          Items: [1, 2, 3],
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { counter: '{% $counter + $states.input %}' }, Output: '{% $counter %}', End: true } } },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: { counter: '{% $counter %}', inner: '{% $states.input %}' }, End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: { counter: 0, inner: [0, 0, 0] } },
  },
  {
    name: 'Assign on the Map state itself sees $states.result (the array of iteration outputs)',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Items: [1, 2, 3],
          ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Output: '{% $states.input * 10 %}', End: true } } },
          Assign: { total: '{% $sum($states.result) %}' },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: '{% $total %}', End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: 60, check: r => expect(rawVars(r, 'M')).toEqual({ total: '60' }) },
  },
  {
    name: 'the Output of a Parallel state cannot see a variable its own Assign creates',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Output: 'a', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Output: 'b', End: true } } },
          ],
          Assign: { joined: "{% $join($states.result, '+') %}" },
          Output: '{% $joined %}',
          Next: 'After',
        },
        After: { Type: 'Pass', Output: '{% $joined %}', End: true },
      },
    },
    expect: { status: 'FAILED', error: QE, cause: undefinedCause('P', 2, '$joined', 'Output') },
  },
  {
    name: 'Assign on the Parallel state itself sees $states.result (read in the next state)',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Output: 'a', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Output: 'b', End: true } } },
          ],
          Assign: { joined: "{% $join($states.result, '+') %}" },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: '{% $joined %}', End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: 'a+b' },
  },
  {
    name: 'Map Items from a variable holding an array',
    source: `${LS}scenarios/test_base_scenarios.snapshot.json#test_map_state_items_variable_sampling[object]`,
    definition: ITEMS_VAR([{ a: 1 }, { b: 2 }]),
    expect: { status: 'SUCCEEDED', output: [{ a: 1 }, { b: 2 }] },
  },
  { name: 'Map Items from a variable holding a number fails', source: `${ITEMS_VAR_SRC}[number]`, definition: ITEMS_VAR(1), expect: { status: 'FAILED', error: QE, cause: itemsVarCause('number', '1'), eventTypes: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'MapStateEntered', 'EvaluationFailed', 'MapStateFailed', 'ExecutionFailed'] } },
  { name: 'Map Items from a variable holding a string fails', source: `${ITEMS_VAR_SRC}[string]`, definition: ITEMS_VAR('string'), expect: { status: 'FAILED', error: QE, cause: itemsVarCause('string', '"string"') } },
  { name: 'Map Items from a variable holding a boolean fails', source: `${ITEMS_VAR_SRC}[boolean]`, definition: ITEMS_VAR(true), expect: { status: 'FAILED', error: QE, cause: itemsVarCause('boolean', 'true') } },
  { name: 'Map Items from a variable holding an object fails', source: `${ITEMS_VAR_SRC}[object]`, definition: ITEMS_VAR({ foo: 'bar' }), expect: { status: 'FAILED', error: QE, cause: itemsVarCause('object', '{"foo":"bar"}') } },
  {
    name: 'Map Items from a variable holding null fails',
    source: `${ITEMS_VAR_SRC}[null]`,
    definition: ITEMS_VAR(null),
    expect: { status: 'FAILED', error: QE, cause: itemsVarCause('null', 'null'), check: r => expect(rawVars(r, 'Start')).toEqual({ ItemsVar: 'null' }) },
  },

  // ---------------------------------------------------------------- errors and limits
  {
    name: 'an Assign expression giving nothing fails with States.QueryEvaluationError at Assign/<name>',
    source: `${LS}assign/test_assign_reference_variables.snapshot.json#test_undefined_reference[BASE_UNDEFINED_ASSIGN]`,
    definition: { QueryLanguage: 'JSONata', StartAt: 'State0', States: { State0: { Type: 'Pass', Assign: { result: '{% $doesNotExist %}' }, End: true } } },
    expect: {
      status: 'FAILED',
      error: QE,
      cause: undefinedCause('State0', 2, '$doesNotExist', 'Assign/result'),
      eventTypes: ['ExecutionStarted', 'PassStateEntered', 'EvaluationFailed', 'ExecutionFailed'],
      check: r => expect(r.events.find(e => e.type === 'EvaluationFailed')!.evaluationFailedEventDetails).toMatchObject({ location: 'Assign/result', state: 'State0' }),
    },
  },
  {
    name: 'Assign on a Succeed state is refused',
    source: VARS_DOC,
    definition: { StartAt: 'S', States: { S: { Type: 'Succeed', Assign: { x: 1 } } } },
    expect: { invalid: /Assign/ },
  },
  {
    name: 'Assign on a Fail state is refused',
    source: VARS_DOC,
    definition: { StartAt: 'F', States: { F: { Type: 'Fail', Assign: { x: 1 } } } },
    expect: { invalid: /Assign/ },
  },
  {
    name: 'a variable over 256 KiB fails the state',
    source: VARS_DOC,
    definition: { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Assign: { big: "{% $pad('', 263000, 'a') %}" }, End: true } } },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'P' (entered at the event id #2). The variable 'big' assigned in state 'P' is larger than 256 KiB.",
    },
  },
  {
    name: 'a variable just under 256 KiB is accepted',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: { Type: 'Pass', Assign: { big: "{% $pad('', 200000, 'a') %}" }, Next: 'Q' },
        Q: { Type: 'Pass', Output: '{% $length($big) %}', End: true },
      },
    },
    expect: { status: 'SUCCEEDED', output: 200000 },
  },
  {
    name: 'a task that takes time does not delay the visibility of variables set before it',
    source: VARS_DOC,
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { when: '{% $states.context.State.EnteredTime %}' }, Next: 'T' },
        T: { Type: 'Task', Resource: INVOKE, Arguments: { FunctionName: FN, Payload: '{% $when %}' }, Output: '{% $states.result.Payload %}', End: true },
      },
    },
    tasks: { [FN]: (req: TaskRequest) => TaskOutcome.succeed(req.input, { afterSeconds: 9 }) },
    expect: {
      status: 'SUCCEEDED',
      check: r => expect(new Date(r.output as string).getTime()).toBe(CONFORMANCE_START.getTime()),
    },
  },
];
