/**
 * JSONPath input and output processing: InputPath, Parameters, ResultSelector, ResultPath and
 * OutputPath, the Pass state's Result, path failures, and the JSONPath features Step Functions
 * evaluates (wildcards, filters, slices, recursive descent, bracket notation).
 */
import type { ConformanceCase } from './case';
import { LS } from './helpers';

const DOCS = 'https://docs.aws.amazon.com/step-functions/latest/dg/';
const PARAMS_DOC = `${DOCS}input-output-inputpath-params.html`;
const RESULTPATH_DOC = `${DOCS}input-output-resultpath.html`;
const OUTPUTPATH_DOC = `${DOCS}input-output-example.html`;
const PATHS_DOC = `${DOCS}amazon-states-language-paths.html`;
const ERRORS_DOC = `${DOCS}concepts-error-handling.html`;

const BASE = (t: string) => `${LS}base/test_base.snapshot.json#tests/aws/services/stepfunctions/v2/base/test_base.py::TestSnfBase::${t}`;
const SCEN = (t: string) =>
  `${LS}scenarios/test_base_scenarios.snapshot.json#tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.py::TestBaseScenarios::${t}`;
const TEST_STATE = (t: string) =>
  `${LS}test_state/test_test_state_scenarios.snapshot.json#tests/aws/services/stepfunctions/v2/test_state/test_test_state_scenarios.py::TestStateCaseScenarios::${t}`;
const CONTEXT = (t: string) =>
  `${LS}context_object/test_context_object.snapshot.json#tests/aws/services/stepfunctions/v2/context_object/test_context_object.py::TestSnfBase::${t}`;

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const LAMBDA = 'arn:aws:states:::lambda:invoke';

/** A one-state machine: a Pass state with the given fields. */
function pass(fields: object): object {
  return { StartAt: 'P', States: { P: { Type: 'Pass', ...fields, End: true } } };
}

/** A one-state machine: a Lambda task with the given extra fields. */
function task(fields: object = {}): object {
  return {
    StartAt: 'T',
    States: {
      T: { Type: 'Task', Resource: LAMBDA, Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, ...fields, End: true },
    },
  };
}

/** `{"item.$": path}` in a Pass state's Parameters, as the recorded array-access machine does. */
function itemAt(path: string): object {
  return { Comment: 'JSON_PATH_ARRAY_ACCESS', StartAt: 'EntryState', States: { EntryState: { Type: 'Pass', Parameters: { 'item.$': path }, End: true } } };
}

const ELEVEN_ITEMS = { items: Array.from({ length: 11 }, (_, i) => ({ item_key: i })) };

const NESTED_DICT_INPUT = {
  initialData: { fieldFromInput: 'value from input', otherField: 'other' },
  unrelatedData: { someOtherField: 1234 },
};

const RESULTPATH_INPUT = { comment: 'This is a test', details: 'Default example', who: 'Step Functions' };

const STORE = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', price: 8.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
};

/** Slices and wildcards of a missing array give [], as recorded for each of these paths. */
const WILDCARD_OR_SLICE_ON_NOTHING = [
  '$[*]',
  '$.items[*]',
  '$.items[1:]',
  '$.items[:1]',
  '$.item.items[*]',
  '$.item.items[1:]',
  '$.item.items[:1]',
  '$.item.items[1:5]',
  '$.items[*].itemValue',
  '$.items[1:].itemValue',
  '$.items[:1].itemValue',
  '$.item.items[1:5].itemValue',
];

export const cases: ConformanceCase[] = [
  {
    name: 'A bracket name keeps a backslash before a double quote: $[\'Test\\""Name"\'] names the key Test\\""Name"',
    source: SCEN('test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]'),
    definition: { StartAt: 'State_0', States: { State_0: { Type: 'Pass', Parameters: { 'value.$': "$['Test\\\"\"Name\"']" }, End: true } } },
    input: { 'Test\\""Name"': 'Value"\\' },
    expect: { status: 'SUCCEEDED', output: { value: 'Value"\\' } },
  },
  // ---------------------------------------------------------------- InputPath, Parameters, ResultPath (recorded)
  {
    name: 'InputPath, Parameters and ResultPath on a Pass state',
    source: TEST_STATE('test_base_inspection_level_info[IO_PASS_STATE]'),
    definition: pass({
      InputPath: '$.initialData',
      Parameters: { 'staticValue': 'some value', 'inputValue.$': '$.fieldFromInput' },
      ResultPath: '$.modifiedData',
    }),
    input: NESTED_DICT_INPUT,
    expect: {
      status: 'SUCCEEDED',
      output: { ...NESTED_DICT_INPUT, modifiedData: { staticValue: 'some value', inputValue: 'value from input' } },
    },
  },
  {
    name: 'A Pass state Result takes precedence over its Parameters',
    source: TEST_STATE('test_base_inspection_level_info[IO_RESULT_PASS_STATE]'),
    definition: pass({
      InputPath: '$.initialData',
      Parameters: { 'staticValue': 'some value', 'inputValue.$': '$.fieldFromInput' },
      Result: { resultKey: 'result value' },
      ResultPath: '$.modifiedData',
    }),
    input: NESTED_DICT_INPUT,
    expect: { status: 'SUCCEEDED', output: { ...NESTED_DICT_INPUT, modifiedData: { resultKey: 'result value' } } },
  },
  {
    name: 'A Pass state Result replaces the input',
    source: BASE('test_state_pass_result'),
    definition: { Comment: 'BASE_PASS_RESULT', StartAt: 'State_1', States: { State_1: { Type: 'Pass', Result: { Arg1: 'argument1' }, End: true } } },
    expect: { status: 'SUCCEEDED', output: { Arg1: 'argument1' } },
  },
  {
    name: 'Fields ending in .$ inside a Pass Result are literals',
    source: BASE('test_state_pass_result_jsonpaths'),
    definition: {
      StartAt: 'State_1',
      States: { State_1: { Type: 'Pass', Result: { 'unsupported1.$': '$.jsonpath', 'unsupported2.$': '$$' }, End: true } },
    },
    expect: { status: 'SUCCEEDED', output: { 'unsupported1.$': '$.jsonpath', 'unsupported2.$': '$$' } },
  },
  {
    name: 'A null InputPath gives the state {} as input',
    source: BASE('test_state_pass_result_null_input_output_paths'),
    definition: pass({ InputPath: null, Parameters: { 'Arg2': 'argument2', 'FromInput.$': '$' } }),
    input: { Arg1: 'argument1', FromInput: { InputValue: 0 } },
    expect: { status: 'SUCCEEDED', output: { Arg2: 'argument2', FromInput: {} } },
  },
  {
    name: 'A null OutputPath sends {} on',
    source: BASE('test_state_pass_result_null_input_output_paths'),
    definition: {
      StartAt: 'State0',
      States: {
        State0: { Type: 'Pass', Parameters: { 'Arg1': 'argument1', 'FromInput.$': '$' }, Next: 'State1' },
        State1: { Type: 'Pass', InputPath: null, Parameters: { 'Arg2': 'argument2', 'FromInput.$': '$' }, Next: 'State2' },
        State2: { Type: 'Pass', OutputPath: null, End: true },
      },
    },
    input: { InputValue: 0 },
    expect: { status: 'SUCCEEDED', output: {} },
  },
  {
    name: 'Parameters keep string escapes and Result keeps a .$ key with an intrinsic as text',
    source: SCEN('test_escape_sequence_parsing[ESCAPE_SEQUENCES_STRING_LITERALS]'),
    definition: {
      StartAt: 'TestEscapesParameters',
      States: {
        TestEscapesParameters: {
          Type: 'Pass',
          Parameters: {
            literal_single_quote: "'",
            literal_double_quote: '"',
            escaped_backslash: 'Backslash \\\\ in string',
            whitespace_escapes: 'Line1\nLine2\tTabbed',
            emoji: '\uD83C\uDD97',
          },
          Next: 'TestEscapesResult',
        },
        TestEscapesResult: {
          Type: 'Pass',
          Result: {
            'literal_single_quote': "'",
            'escaped_backslash': 'Backslash \\\\ in string',
            'not_an_intrinsic_function.$': "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')",
          },
          End: true,
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      output: {
        'literal_single_quote': "'",
        'escaped_backslash': 'Backslash \\\\ in string',
        'not_an_intrinsic_function.$': "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')",
      },
    },
  },

  // ---------------------------------------------------------------- InputPath / Parameters (documented)
  {
    name: 'InputPath selects a part of the input',
    source: PARAMS_DOC,
    definition: pass({ InputPath: '$.dataset2' }),
    input: { comment: 'Example for InputPath.', dataset1: { val1: 1, val2: 2, val3: 3 }, dataset2: { val1: 'a', val2: 'b', val3: 'c' } },
    expect: { status: 'SUCCEEDED', output: { val1: 'a', val2: 'b', val3: 'c' } },
  },
  {
    name: 'Parameters build nested objects from static values and paths',
    source: PARAMS_DOC,
    definition: pass({
      Parameters: {
        comment: 'Selecting what I care about.',
        MyDetails: { 'size.$': '$.product.details.size', 'exists.$': '$.product.availability', 'StaticValue': 'foo' },
      },
    }),
    input: {
      comment: 'Example for Parameters.',
      product: { details: { color: 'blue', size: 'small', material: 'cotton' }, availability: 'in stock', sku: '2317', cost: '$23' },
    },
    expect: {
      status: 'SUCCEEDED',
      output: { comment: 'Selecting what I care about.', MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' } },
    },
  },
  {
    name: 'Parameters evaluate .$ fields inside arrays of objects',
    source: PARAMS_DOC,
    definition: pass({ Parameters: { list: [{ 'a.$': '$.x' }, 'literal', 3, [{ 'b.$': '$.y' }]] } }),
    input: { x: 1, y: 'two' },
    expect: { status: 'SUCCEEDED', output: { list: [{ a: 1 }, 'literal', 3, [{ b: 'two' }]] } },
  },
  {
    name: 'Parameters keep static nulls, booleans and empty containers',
    source: PARAMS_DOC,
    definition: pass({ Parameters: { n: null, t: true, f: false, o: {}, a: [], z: 0 } }),
    input: { any: 'thing' },
    expect: { status: 'SUCCEEDED', output: { n: null, t: true, f: false, o: {}, a: [], z: 0 } },
  },
  {
    name: 'Parameters take $ as the whole effective input after InputPath',
    source: PARAMS_DOC,
    definition: pass({ InputPath: '$.inner', Parameters: { 'all.$': '$', 'v.$': '$.v' } }),
    input: { inner: { v: 5 }, outer: 1 },
    expect: { status: 'SUCCEEDED', output: { all: { v: 5 }, v: 5 } },
  },
  {
    name: 'Parameters read the context object with $$',
    source: BASE('test_query_context_object_values'),
    definition: {
      Comment: 'QUERY_CONTEXT_OBJECT_VALUES',
      StartAt: 'QueryValues1',
      States: {
        QueryValues1: {
          Type: 'Pass',
          ResultPath: '$.query_values_1',
          Parameters: {
            'execution_id.$': '$$.Execution.Id',
            'execution_input.$': '$$.Execution.Input',
            'execution_name.$': '$$.Execution.Name',
            'state_name.$': '$$.State.Name',
            'statemachine.$': '$$.StateMachine',
            'statemachine_id.$': '$$.StateMachine.Id',
            'statemachine_name.$': '$$.StateMachine.Name',
          },
          End: true,
        },
      },
    },
    input: { message: 'TestMessage' },
    options: { executionName: 'exec-1', stateMachineName: 'machine-1' },
    expect: {
      status: 'SUCCEEDED',
      output: {
        message: 'TestMessage',
        query_values_1: {
          execution_id: 'arn:aws:states:us-east-1:123456789012:execution:machine-1:exec-1',
          execution_input: { message: 'TestMessage' },
          execution_name: 'exec-1',
          state_name: 'QueryValues1',
          statemachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine-1', Name: 'machine-1' },
          statemachine_id: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine-1',
          statemachine_name: 'machine-1',
        },
      },
    },
  },
  {
    name: 'The context object of a Pass state holds Execution, StateMachine and State',
    source: CONTEXT('test_input_path[$$]'),
    definition: { Comment: 'CONTEXT_OBJECT_INPUT_PATH', StartAt: 'TestState', States: { TestState: { Type: 'Pass', InputPath: '$$', End: true } } },
    input: { 'input-value': 0 },
    options: { executionName: 'exec-1', stateMachineName: 'machine-1' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const o = r.output as any;
        expect(Object.keys(o).sort()).toEqual(['Execution', 'State', 'StateMachine']);
        expect(Object.keys(o.Execution).sort()).toEqual(['Id', 'Input', 'Name', 'RedriveCount', 'RoleArn', 'StartTime']);
        expect(o.Execution).toMatchObject({
          Id: 'arn:aws:states:us-east-1:123456789012:execution:machine-1:exec-1',
          Input: { 'input-value': 0 },
          Name: 'exec-1',
          RedriveCount: 0,
          StartTime: '2024-01-01T00:00:00.000Z',
        });
        expect(o.StateMachine).toEqual({ Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine-1', Name: 'machine-1' });
        expect(o.State).toEqual({ Name: 'TestState', EnteredTime: '2024-01-01T00:00:00.000Z' });
      },
    },
  },
  {
    name: 'InputPath $$.Execution.Input gives the execution input',
    source: CONTEXT('test_input_path[$$.Execution.Input]'),
    definition: pass({ Result: { replaced: true }, ResultPath: null, InputPath: '$$.Execution.Input' }),
    input: { 'input-value': 0 },
    expect: { status: 'SUCCEEDED', output: { 'input-value': 0 } },
  },
  {
    name: 'OutputPath $$.Execution.Input sends the execution input on',
    source: CONTEXT('test_output_path[$$.Execution.Input]'),
    definition: pass({ Result: { replaced: true }, OutputPath: '$$.Execution.Input' }),
    input: { 'input-value': 0 },
    expect: { status: 'SUCCEEDED', output: { 'input-value': 0 } },
  },
  {
    name: 'OutputPath $$ sends the context object on',
    source: CONTEXT('test_output_path[$$]'),
    definition: { StartAt: 'TestState', States: { TestState: { Type: 'Pass', OutputPath: '$$', End: true } } },
    input: { 'input-value': 0 },
    options: { executionName: 'exec-1', stateMachineName: 'machine-1' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const o = r.output as any;
        expect(o.Execution.Input).toEqual({ 'input-value': 0 });
        expect(o.State.Name).toBe('TestState');
        expect(o.StateMachine.Name).toBe('machine-1');
      },
    },
  },

  {
    name: 'An Express execution started with StartSyncExecution: its ARN has an id after the name, and $$.Execution has no RedriveCount',
    source: `${LS}express/test_express_sync.snapshot.json#test_query_runtime_memory`,
    definition: { StartAt: 'QueryValues1', States: { QueryValues1: { Type: 'Pass', Parameters: { 'context_object.$': '$$' }, End: true } } },
    input: { message: 'TestMessage' },
    options: { type: 'EXPRESS', startedWith: 'StartSyncExecution', executionName: 'exec-1', stateMachineName: 'machine-1' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const context = (r.output as any).context_object;
        expect(Object.keys(context.Execution).sort()).toEqual(['Id', 'Input', 'Name', 'RoleArn', 'StartTime']);
        expect(context.Execution.Id).toMatch(/^arn:aws:states:us-east-1:123456789012:express:machine-1:exec-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(context.Execution.Id).toBe(r.executionArn);
        expect(context.Execution.Name).toBe('exec-1');
        expect(Object.keys(context.State).sort()).toEqual(['EnteredTime', 'Name']);
      },
    },
  },
  {
    name: 'An Express execution started with StartExecution: $$.Execution has RedriveCount 0, as a Standard one has',
    source: `${LS}express/test_express_async.snapshot.json#test_query_runtime_memory`,
    definition: { StartAt: 'QueryValues1', States: { QueryValues1: { Type: 'Pass', Parameters: { 'execution.$': '$$.Execution' }, End: true } } },
    input: { message: 'TestMessage' },
    options: { type: 'EXPRESS', executionName: 'exec-1', stateMachineName: 'machine-1' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const execution = (r.output as any).execution;
        expect(execution).toMatchObject({ Name: 'exec-1', RedriveCount: 0, Input: { message: 'TestMessage' } });
        expect(execution.Id).toMatch(/:express:machine-1:exec-1:[0-9a-f-]{36}$/);
      },
    },
  },
  {
    name: 'A Standard execution: $$.Execution has RedriveCount 0 and its ARN ends with its name',
    source: BASE('test_query_context_object_values'),
    definition: { StartAt: 'QueryValues1', States: { QueryValues1: { Type: 'Pass', Parameters: { 'execution.$': '$$.Execution' }, End: true } } },
    options: { executionName: 'exec-1', stateMachineName: 'machine-1' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        const execution = (r.output as any).execution;
        expect(Object.keys(execution).sort()).toEqual(['Id', 'Input', 'Name', 'RedriveCount', 'RoleArn', 'StartTime']);
        expect(execution.Id).toBe('arn:aws:states:us-east-1:123456789012:execution:machine-1:exec-1');
      },
    },
  },
  {
    name: 'ItemsPath that selects no array fails with States.Runtime: Reference path "..." must point to array ($$ shown as $)',
    source: `${LS}test_state/test_state_context_object.snapshot.json#test_state_map_context_object[EXECUTION_INPUT]`,
    definition: { StartAt: 'M', States: { M: { Type: 'Map', ItemsPath: '$$.Execution.Input', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } },
    input: { not: 'an array' },
    expect: { status: 'FAILED', error: 'States.Runtime', cause: /\(entered at the event id #2\)\. Reference path "\$\.Execution\.Input" must point to array\.$/ },
  },
  // ---------------------------------------------------------------- ResultSelector
  {
    name: 'ResultSelector picks from the Lambda invoke result, and $$ reaches the execution input',
    source: CONTEXT('test_result_selector'),
    definition: task({ ResultSelector: { 'LambdaOutput.$': '$.Payload', 'ContextObjectValue.$': '$$.Execution.Input' } }),
    input: { 'input-value': 0 },
    tasks: { [FN]: req => ({ Input: req.input }) },
    expect: {
      status: 'SUCCEEDED',
      output: { LambdaOutput: { Input: { 'input-value': 0 } }, ContextObjectValue: { 'input-value': 0 } },
    },
  },
  {
    name: 'ResultSelector before ResultPath: the selected result is placed into the input',
    source: PARAMS_DOC,
    definition: task({ ResultSelector: { 'ClusterId.$': '$.Payload.output.ClusterId', 'StatusCode.$': '$.StatusCode' }, ResultPath: '$.EMROutput' }),
    input: { comment: 'keep' },
    tasks: { [FN]: () => ({ output: { ClusterId: 'AKIAIOSFODNN7EXAMPLE', Other: 1 } }) },
    expect: { status: 'SUCCEEDED', output: { comment: 'keep', EMROutput: { ClusterId: 'AKIAIOSFODNN7EXAMPLE', StatusCode: 200 } } },
  },
  {
    name: 'ResultSelector flattens a Parallel result with $[*][*]',
    source: PATHS_DOC,
    definition: {
      StartAt: 'Par',
      States: {
        Par: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Result: [1, 2], End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Result: [3], End: true } } },
          ],
          ResultSelector: { 'flattenArray.$': '$[*][*]' },
          End: true,
        },
      },
    },
    expect: { status: 'SUCCEEDED', output: { flattenArray: [1, 2, 3] } },
  },
  {
    name: 'ResultSelector on a Map state sees the array of iteration results',
    source: PARAMS_DOC,
    definition: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.xs',
          ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', Parameters: { 'v.$': '$' }, End: true } } },
          ResultSelector: { 'values.$': '$[*].v', 'first.$': '$[0].v' },
          End: true,
        },
      },
    },
    input: { xs: ['a', 'b'] },
    expect: { status: 'SUCCEEDED', output: { values: ['a', 'b'], first: 'a' } },
  },

  // ---------------------------------------------------------------- ResultPath (documented)
  {
    name: 'ResultPath $ replaces the input with the result',
    source: RESULTPATH_DOC,
    definition: pass({ Result: 'Hello, Step Functions!', ResultPath: '$' }),
    input: RESULTPATH_INPUT,
    expect: { status: 'SUCCEEDED', output: 'Hello, Step Functions!' },
  },
  {
    name: 'ResultPath null discards the result and keeps the input',
    source: RESULTPATH_DOC,
    definition: pass({ Result: 'Hello, Step Functions!', ResultPath: null }),
    input: RESULTPATH_INPUT,
    expect: { status: 'SUCCEEDED', output: RESULTPATH_INPUT },
  },
  {
    name: 'ResultPath $.taskresult adds the result to the input',
    source: RESULTPATH_DOC,
    definition: pass({ Result: 'Hello, Step Functions!', ResultPath: '$.taskresult' }),
    input: RESULTPATH_INPUT,
    expect: { status: 'SUCCEEDED', output: { ...RESULTPATH_INPUT, taskresult: 'Hello, Step Functions!' } },
  },
  {
    name: 'ResultPath into a nested existing object',
    source: RESULTPATH_DOC,
    definition: pass({ Result: 40, ResultPath: '$.data.lambdaresult' }),
    input: { comment: 'An input comment.', data: { val1: 23, val2: 17 }, extra: 'foo', lambda: { who: 'AWS Step Functions' } },
    expect: {
      status: 'SUCCEEDED',
      output: { comment: 'An input comment.', data: { val1: 23, val2: 17, lambdaresult: 40 }, extra: 'foo', lambda: { who: 'AWS Step Functions' } },
    },
  },
  {
    name: 'ResultPath creates missing intermediate objects',
    source: RESULTPATH_DOC,
    definition: pass({ Result: { r: 1 }, ResultPath: '$.a.b.c' }),
    input: { keep: true },
    expect: { status: 'SUCCEEDED', output: { keep: true, a: { b: { c: { r: 1 } } } } },
  },
  {
    name: 'ResultPath overwrites an existing field',
    source: RESULTPATH_DOC,
    definition: pass({ Result: 'new', ResultPath: '$.who' }),
    input: RESULTPATH_INPUT,
    expect: { status: 'SUCCEEDED', output: { ...RESULTPATH_INPUT, who: 'new' } },
  },
  {
    name: 'ResultPath applies to the raw input, not the InputPath selection',
    source: RESULTPATH_DOC,
    definition: pass({ InputPath: '$.sub', Parameters: { 'got.$': '$.x' }, ResultPath: '$.out' }),
    input: { sub: { x: 1 }, other: 2 },
    expect: { status: 'SUCCEEDED', output: { sub: { x: 1 }, other: 2, out: { got: 1 } } },
  },
  {
    name: 'ResultPath with a Task result keeps the task input beside it',
    source: RESULTPATH_DOC,
    definition: task({ ResultSelector: { 'greeting.$': '$.Payload' }, ResultPath: '$.taskresult' }),
    input: { who: 'Step Functions' },
    tasks: { [FN]: req => `Hello, ${req.input.who}!` },
    expect: { status: 'SUCCEEDED', output: { who: 'Step Functions', taskresult: { greeting: 'Hello, Step Functions!' } } },
  },
  {
    name: 'ResultPath null on a Task discards the Lambda result',
    source: RESULTPATH_DOC,
    definition: task({ ResultPath: null }),
    input: { keep: 'me' },
    tasks: { [FN]: () => ({ thrownAway: true }) },
    expect: { status: 'SUCCEEDED', output: { keep: 'me' } },
  },
  {
    name: 'ResultPath into a string input fails with States.ResultPathMatchFailure',
    source: ERRORS_DOC,
    definition: {
      StartAt: 'MakeString',
      States: {
        MakeString: { Type: 'Pass', Result: 'just a string', Next: 'Place' },
        Place: { Type: 'Pass', Result: 1, ResultPath: '$.x', End: true },
      },
    },
    expect: { status: 'FAILED', error: 'States.ResultPathMatchFailure' },
  },

  // ---------------------------------------------------------------- OutputPath
  {
    name: 'OutputPath selects part of the combined output',
    source: OUTPUTPATH_DOC,
    definition: pass({ Result: { detail: 1 }, ResultPath: '$.result', OutputPath: '$.result' }),
    input: { a: 1 },
    expect: { status: 'SUCCEEDED', output: { detail: 1 } },
  },
  {
    name: 'OutputPath $.Payload unwraps a Lambda invoke result',
    source: `${DOCS}connect-lambda.html`,
    definition: task({ OutputPath: '$.Payload' }),
    input: { n: 2 },
    tasks: { [FN]: req => ({ doubled: req.input.n * 2 }) },
    expect: { status: 'SUCCEEDED', output: { doubled: 4 } },
  },
  {
    name: 'A Lambda invoke result has Payload and StatusCode 200',
    source: CONTEXT('test_result_selector'),
    definition: task(),
    input: {},
    tasks: { [FN]: () => 'done' },
    expect: {
      status: 'SUCCEEDED',
      check: r => {
        expect((r.output as any).Payload).toBe('done');
        expect((r.output as any).StatusCode).toBe(200);
      },
    },
  },

  // ---------------------------------------------------------------- path failures (States.Runtime)
  {
    name: 'A Parameters path that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]'),
    definition: { StartAt: 'pass', States: { pass: { Type: 'Pass', Parameters: { 'value.$': '$.no_such_jsonpath' }, End: true } } },
    input: { 'int-literal': 0 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause:
        "An error occurred while executing the state 'pass' (entered at the event id #2). The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'",
    },
  },
  {
    name: 'A Parameters context path that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH]'),
    definition: { StartAt: 'pass', States: { pass: { Type: 'Pass', Parameters: { 'value.$': '$$.Execution.Input.no_such_jsonpath' }, End: true } } },
    input: { 'int-literal': 0 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: /^An error occurred while executing the state 'pass' \(entered at the event id #2\)\. The JSONPath '\$\$\.Execution\.Input\.no_such_jsonpath' specified for the field 'value\.\$' could not be found in the input '/,
    },
  },
  {
    name: 'An InputPath that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH]'),
    definition: { StartAt: 'pass', States: { pass: { Type: 'Pass', InputPath: '$.NoSuchInputPath', End: true } } },
    input: { 'int-literal': 0 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']",
    },
  },
  {
    name: 'An OutputPath that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_OUTPUTPATH]'),
    definition: { StartAt: 'pass', States: { pass: { Type: 'Pass', OutputPath: '$.NoSuchOutputPath', End: true } } },
    input: { 'int-literal': 0 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']",
    },
  },
  {
    name: 'A deep OutputPath with a missing first step fails, and Catch on States.Runtime does not catch it',
    source: SCEN('test_catch_states_runtime'),
    definition: {
      Comment: 'CATCH_STATE_RUNTIME',
      StartAt: 'RaiseRuntime',
      States: {
        RaiseRuntime: {
          Type: 'Task',
          Resource: FN,
          OutputPath: '$.no.such.result.path',
          Catch: [{ ErrorEquals: ['States.Runtime'], Next: 'CaughtRuntime' }],
          Next: 'Final',
        },
        CaughtRuntime: { Type: 'Pass', End: true },
        Final: { Type: 'Pass', End: true },
      },
    },
    tasks: { [FN]: req => req.input },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'RaiseRuntime' (entered at the event id #2). Invalid path '$.no.such.result.path' : Missing property in path $['no']",
    },
  },
  {
    name: 'A Fail ErrorPath that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH]'),
    definition: {
      StartAt: 'pass',
      States: {
        pass: { Type: 'Pass', Next: 'fail', Parameters: { Error: 'error-value' } },
        fail: { Type: 'Fail', ErrorPath: '$.ErrorX' },
      },
    },
    input: { 'int-literal': 0 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause:
        "An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{\"Error\":\"error-value\"}'",
    },
  },
  {
    name: 'A Fail CausePath that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_CAUSEPATH]'),
    definition: {
      StartAt: 'pass',
      States: {
        pass: { Type: 'Pass', Next: 'fail', Parameters: { Error: 'error-value' } },
        fail: { Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.NoSuchCausePath' },
      },
    },
    input: { 'int-literal': 0 },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause:
        "An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in the input '{\"Error\":\"error-value\"}'",
    },
  },
  {
    name: 'A TimeoutSecondsPath that matches nothing fails with States.Runtime',
    source: SCEN('test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH]'),
    definition: {
      StartAt: 'task',
      States: { task: { Type: 'Task', TimeoutSecondsPath: '$.NoSuchTimeoutSecondsPath', Resource: LAMBDA, Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, End: true } },
    },
    input: { 'int-literal': 0 },
    tasks: { [FN]: () => ({}) },
    expect: {
      status: 'FAILED',
      error: 'States.Runtime',
      cause:
        "An error occurred while executing the state 'task' (entered at the event id #2). Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']",
    },
  },
  {
    name: 'A Fail state takes error and cause from ErrorPath and CausePath',
    source: BASE('test_state_fail_path'),
    definition: { Comment: 'RAISE_FAILURE_PATH', StartAt: 'FailState', States: { FailState: { Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' } } },
    input: { Error: 'error string', Cause: 'cause string' },
    expect: { status: 'FAILED', error: 'error string', cause: 'cause string' },
  },
  {
    name: 'A Parameters index past the end of an array fails with States.Runtime',
    source: `${DOCS}state-pass.html`,
    definition: itemAt('$.items[11]'),
    input: ELEVEN_ITEMS,
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },

  // ---------------------------------------------------------------- JSONPath features
  {
    name: 'Array index [0]',
    source: BASE('test_json_path_array_access[$.items[0]]'),
    definition: itemAt('$.items[0]'),
    input: ELEVEN_ITEMS,
    expect: { status: 'SUCCEEDED', output: { item: { item_key: 0 } } },
  },
  {
    name: 'Array index [10]',
    source: BASE('test_json_path_array_access[$.items[10]]'),
    definition: itemAt('$.items[10]'),
    input: ELEVEN_ITEMS,
    expect: { status: 'SUCCEEDED', output: { item: { item_key: 10 } } },
  },
  ...WILDCARD_OR_SLICE_ON_NOTHING.map(
    (path): ConformanceCase => ({
      name: `Wildcard or slice ${path} on an empty input gives []`,
      source: BASE(`test_json_path_array_wildcard_or_slice_with_no_input[${path}]`),
      definition: itemAt(path),
      input: {},
      expect: { status: 'SUCCEEDED', output: { item: [] } },
    }),
  ),
  {
    name: 'Filter [?(@.status == 0)] gives the matching items as an array',
    source: BASE('test_state_pass_regex_json_path_base'),
    definition: {
      Comment: 'BASE_PASS_RESULT_REGEX_JSON_PATH_BASE',
      StartAt: 'State0',
      States: { State0: { Type: 'Pass', Parameters: { 'FromInput.$': '$.users[?(@.status == 0)]' }, End: true } },
    },
    input: { users: [{ year: 1997, status: 0 }, { year: 1998, status: 1 }] },
    expect: { status: 'SUCCEEDED', output: { FromInput: [{ year: 1997, status: 0 }] } },
  },
  {
    name: 'Reference paths from the documentation',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'foo.$': '$.foo', 'bar.$': '$.bar', 'cdr.$': '$.car.cdr' } }),
    input: { foo: 123, bar: ['a', 'b', 'c'], car: { cdr: true } },
    expect: { status: 'SUCCEEDED', output: { foo: 123, bar: ['a', 'b', 'c'], cdr: true } },
  },
  {
    name: "Bracket notation for a key with a space: $.abc.['def ghi']",
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'v.$': "$.abc.['def ghi']" } }),
    input: { abc: { 'def ghi': 42 } },
    expect: { status: 'SUCCEEDED', output: { v: 42 } },
  },
  {
    name: "Bracket notation at the root: $['my key']",
    source: PATHS_DOC,
    definition: pass({ InputPath: "$['my key']" }),
    input: { 'my key': { v: 1 } },
    expect: { status: 'SUCCEEDED', output: { v: 1 } },
  },
  {
    name: 'Wildcard over an array of objects',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'authors.$': '$.store.book[*].author' } }),
    input: STORE,
    expect: { status: 'SUCCEEDED', output: { authors: ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville'] } },
  },
  {
    name: 'Recursive descent collects every price in document order',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'prices.$': '$..price' } }),
    input: STORE,
    expect: { status: 'SUCCEEDED', output: { prices: [8.95, 12.99, 8.99, 19.95] } },
  },
  {
    name: 'Filter with a numeric comparison [?(@.price < 10)]',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'cheap.$': '$.store.book[?(@.price < 10)].title' } }),
    input: STORE,
    expect: { status: 'SUCCEEDED', output: { cheap: ['Sayings of the Century', 'Moby Dick'] } },
  },
  {
    name: 'Filter with no match gives []',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'none.$': '$.store.book[?(@.price > 100)]' } }),
    input: STORE,
    expect: { status: 'SUCCEEDED', output: { none: [] } },
  },
  {
    name: 'Filter on a string field [?(@.category == "fiction")]',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'fiction.$': "$.store.book[?(@.category == 'fiction')].author" } }),
    input: STORE,
    expect: { status: 'SUCCEEDED', output: { fiction: ['Evelyn Waugh', 'Herman Melville'] } },
  },
  {
    name: 'Filter [?(@.x > 1)] in InputPath',
    source: PATHS_DOC,
    definition: pass({ InputPath: '$.xs[?(@.x > 1)]' }),
    input: { xs: [{ x: 1 }, { x: 2 }, { x: 3 }] },
    expect: { status: 'SUCCEEDED', output: [{ x: 2 }, { x: 3 }] },
  },
  {
    name: 'Slice [1:3]',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'mid.$': '$.a[1:3]' } }),
    input: { a: [0, 1, 2, 3, 4] },
    expect: { status: 'SUCCEEDED', output: { mid: [1, 2] } },
  },
  {
    name: 'Slice [:2] and [3:]',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'head.$': '$.a[:2]', 'tail.$': '$.a[3:]' } }),
    input: { a: [0, 1, 2, 3, 4] },
    expect: { status: 'SUCCEEDED', output: { head: [0, 1], tail: [3, 4] } },
  },
  {
    name: 'Index union [0,2]',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'picked.$': '$.a[0,2]' } }),
    input: { a: ['x', 'y', 'z'] },
    expect: { status: 'SUCCEEDED', output: { picked: ['x', 'z'] } },
  },
  {
    name: 'Negative index [-1] picks the last item',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'last.$': '$.a[-1]' } }),
    input: { a: ['x', 'y', 'z'] },
    expect: { status: 'SUCCEEDED', output: { last: 'z' } },
  },
  {
    name: 'Wildcard over object members',
    source: PATHS_DOC,
    definition: pass({ Parameters: { 'vals.$': '$.o.*' } }),
    input: { o: { a: 1, b: 2 } },
    expect: { status: 'SUCCEEDED', output: { vals: [1, 2] } },
  },
  {
    name: 'A path to a null value gives null, not a failure',
    source: PARAMS_DOC,
    definition: pass({ Parameters: { 'v.$': '$.n' } }),
    input: { n: null },
    expect: { status: 'SUCCEEDED', output: { v: null } },
  },
  {
    name: 'InputPath $ keeps the whole input (default)',
    source: PARAMS_DOC,
    definition: pass({ InputPath: '$', OutputPath: '$' }),
    input: { a: [1, { b: 2 }] },
    expect: { status: 'SUCCEEDED', output: { a: [1, { b: 2 }] } },
  },
];
