/**
 * Intrinsic functions of JSONPath states (States.*), their results and their failures.
 *
 * Most cases rebuild a recorded AWS execution: a single Pass state whose Parameters hold
 * `"FunctionResult.$": "<intrinsic>"`, run on `{"FunctionInput": ...}`; the recorded output is the
 * expected value.
 */
import type { ConformanceCase } from './case';
import type { ExecutionResult } from '../../../src/engine';

const V2 = 'localstack:tests/aws/services/stepfunctions/v2/intrinsic_functions/';
const DOCS = 'https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html';

const rec = (file: string, cls: string, test: string) =>
  `${V2}${file}.snapshot.json#tests/aws/services/stepfunctions/v2/intrinsic_functions/${file}.py::${cls}::${test}`;

const ARRAY = (t: string) => rec('test_array', 'TestArray', t);
const GENERIC = (t: string) => rec('test_generic', 'TestGeneric', t);
const JSONM = (t: string) => rec('test_json_manipulation', 'TestJsonManipulation', t);
const MATH = (t: string) => rec('test_math_operations', 'TestMathOperations', t);
const STRING = (t: string) => rec('test_string_operations', 'TestStringOperations', t);
const ENCODE = (t: string) => rec('test_encode_decode', 'TestEncodeDecode', t);
const HASH = rec('test_hash_calculations', 'TestHashCalculations', 'test_hash');
const UUID = rec('test_unique_id_generation', 'TestUniqueIdGeneration', 'test_uuid');

/** One Pass state evaluating `expr` into `FunctionResult`. */
function fn(expr: string): object {
  return {
    Comment: 'INTRINSIC',
    StartAt: 'State_0',
    States: {
      State_0: { Type: 'Pass', Parameters: { 'FunctionResult.$': expr }, End: true },
    },
  };
}

/** A case that evaluates `expr` on `{FunctionInput: input}` and expects `{FunctionResult: result}`. */
function ok(name: string, source: string, expr: string, input: unknown, result: unknown): ConformanceCase {
  return {
    name,
    source,
    definition: fn(expr),
    input: input === undefined ? {} : { FunctionInput: input },
    expect: { status: 'SUCCEEDED', output: { FunctionResult: result } },
  };
}

/**
 * No recorded execution shows an intrinsic failing at run time. The ASL names the error
 * States.IntrinsicFailure; path failures in the same fields are recorded as States.Runtime. Either
 * name is accepted, but the execution must fail (these errors are not caught by a Pass state).
 */
function fails(name: string, source: string, expr: string, input: unknown): ConformanceCase {
  return {
    name,
    source,
    definition: fn(expr),
    input: { FunctionInput: input },
    expect: {
      status: 'FAILED',
      check: (r: ExecutionResult) => {
        expect(r.error).toMatch(/^States\.(IntrinsicFailure|Runtime)$/);
        expect(r.output).toBeUndefined();
      },
    },
  };
}

const two = (fst: unknown, snd: unknown) => ({ fst, snd });

const FORMAT_1 = "States.Format('Formatting argument {}.', $.FunctionInput)";
const FORMAT_2 = "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)";
const PARTITION = 'States.ArrayPartition($.FunctionInput.fst, $.FunctionInput.snd)';
const CONTAINS = 'States.ArrayContains($.FunctionInput.fst, $.FunctionInput.snd)';
const RANGE = 'States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)';
const MATH_ADD = 'States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)';
const SPLIT = 'States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd)';
const HASH_EXPR = 'States.Hash($.FunctionInput.fst, $.FunctionInput.snd)';

/** A random-number case: the result is an integer within [lo, hi]. */
function randomIn(name: string, source: string, expr: string, input: unknown, lo: number, hi: number): ConformanceCase {
  return {
    name,
    source,
    definition: fn(expr),
    input: { FunctionInput: input },
    options: { seed: 7 },
    expect: {
      status: 'SUCCEEDED',
      check: (r: ExecutionResult) => {
        const v = (r.output as any).FunctionResult;
        expect(typeof v).toBe('number');
        expect(v).toBeGreaterThanOrEqual(lo);
        expect(v).toBeLessThanOrEqual(hi);
      },
    },
  };
}

export const cases: ConformanceCase[] = [
  // ---------------------------------------------------------------- States.Array
  ok('States.Array() with no argument is an empty array', ARRAY('test_array_0'), 'States.Array()', 'HelloWorld', []),
  ok('States.Array of two empty strings', ARRAY('test_array_2'), 'States.Array($.FunctionInput.fst, $.FunctionInput.snd)', two('', ''), ['', '']),
  ok('States.Array of two nulls keeps the nulls', ARRAY('test_array_2'), 'States.Array($.FunctionInput.fst, $.FunctionInput.snd)', two(null, null), [null, null]),
  ok('States.Array of decimals', ARRAY('test_array_2'), 'States.Array($.FunctionInput.fst, $.FunctionInput.snd)', two(1.1, 1.1), [1.1, 1.1]),
  ok('States.Array keeps a JSON-looking string as a string', ARRAY('test_array_2'), 'States.Array($.FunctionInput.fst, $.FunctionInput.snd)',
    two('{"Arg1": 1, "Arg2": []}', '{"Arg1": 1, "Arg2": []}'), ['{"Arg1": 1, "Arg2": []}', '{"Arg1": 1, "Arg2": []}']),
  ok('States.Array of objects', ARRAY('test_array_2'), 'States.Array($.FunctionInput.fst, $.FunctionInput.snd)',
    two({ Arg1: 1, Arg2: [] }, { Arg1: 1, Arg2: [] }), [{ Arg1: 1, Arg2: [] }, { Arg1: 1, Arg2: [] }]),
  {
    name: 'States.Array mixes literals and paths (documentation example)',
    source: DOCS,
    definition: {
      StartAt: 'P',
      States: { P: { Type: 'Pass', Parameters: { 'BuildId.$': "States.Array('Build', $.Id, 10)" }, End: true } },
    },
    input: { Id: 123456 },
    expect: { status: 'SUCCEEDED', output: { BuildId: ['Build', 123456, 10] } },
  },

  // ---------------------------------------------------------------- States.ArrayPartition
  ok('States.ArrayPartition of an empty array is empty', ARRAY('test_array_partition'), PARTITION, two([], 3), []),
  ok('States.ArrayPartition with a chunk larger than the array', ARRAY('test_array_partition'), PARTITION, two([0], 5), [[0]]),
  ok('States.ArrayPartition in chunks of one', ARRAY('test_array_partition'), PARTITION, two([0, 1, 2, 3], 1), [[0], [1], [2], [3]]),
  ok('States.ArrayPartition in even chunks', ARRAY('test_array_partition'), PARTITION, two([0, 1, 2, 3], 2), [[0, 1], [2, 3]]),
  ok('States.ArrayPartition leaves a short last chunk', ARRAY('test_array_partition'), PARTITION, two([0, 1, 2, 3], 3), [[0, 1, 2], [3]]),
  ok('States.ArrayPartition with the chunk equal to the length', ARRAY('test_array_partition'), PARTITION, two([0, 1, 2, 3], 4), [[0, 1, 2, 3]]),
  ok('States.ArrayPartition of three items in twos', ARRAY('test_array_partition'), PARTITION, two([0, 1, 2], 2), [[0, 1], [2]]),
  fails('States.ArrayPartition with a zero chunk size fails', DOCS, PARTITION, two([1, 2, 3], 0)),

  // ---------------------------------------------------------------- States.ArrayContains
  ok('States.ArrayContains on an empty array is false', ARRAY('test_array_contains'), CONTAINS, two([], 1), false),
  ok('States.ArrayContains does not find null in an array without null', ARRAY('test_array_contains'), CONTAINS, two([[1, 2, 3], 2], null), false),
  ok('States.ArrayContains compares nested arrays by value', ARRAY('test_array_contains'), CONTAINS, two([[1, 2, 3], 2], [1, 2, 3]), true),
  ok('States.ArrayContains compares objects by value', ARRAY('test_array_contains'), CONTAINS, two([{ 1: 2, 2: [] }], { 1: 2, 2: [] }), true),
  ok('States.ArrayContains: [] is not an element of [{...}]', ARRAY('test_array_contains'), CONTAINS, two([{ 1: 2, 2: [] }], []), false),
  ok('States.ArrayContains finds false', ARRAY('test_array_contains'), CONTAINS, two([true, false], false), true),

  // ---------------------------------------------------------------- States.ArrayRange
  ok('States.ArrayRange(0, 9, 3) includes the end', ARRAY('test_array_range'), RANGE, { fst: 0, snd: 9, trd: 3 }, [0, 3, 6, 9]),
  ok('States.ArrayRange(0, 10, 3) stops before passing the end', ARRAY('test_array_range'), RANGE, { fst: 0, snd: 10, trd: 3 }, [0, 3, 6, 9]),
  ok('States.ArrayRange with a step past the end gives one item', ARRAY('test_array_range'), RANGE, { fst: 1, snd: 9, trd: 9 }, [1]),
  ok('States.ArrayRange(1, 9, 2)', ARRAY('test_array_range'), RANGE, { fst: 1, snd: 9, trd: 2 }, [1, 3, 5, 7, 9]),
  fails('States.ArrayRange with a zero step fails', DOCS, RANGE, { fst: 1, snd: 9, trd: 0 }),
  fails('States.ArrayRange of more than 1000 items fails', DOCS, RANGE, { fst: 0, snd: 2000, trd: 1 }),

  // ---------------------------------------------------------------- States.ArrayGetItem / ArrayLength / ArrayUnique
  ok('States.ArrayGetItem is zero-based', ARRAY('test_array_get_item'), 'States.ArrayGetItem($.FunctionInput.fst, $.FunctionInput.snd)',
    two([1, 2, 3, 4, 5, 6, 7, 8, 9], 5), 6),
  ok('States.ArrayLength', ARRAY('test_array_length'), 'States.ArrayLength($.FunctionInput)', [1, 2, 3, 4, 5, 6, 7, 8, 9], 9),
  ok('States.ArrayLength counts nulls and duplicates', rec('test_array', 'TestArray', 'test_array_unique'), 'States.ArrayLength($.FunctionInput)',
    [null, null, true, true, false, false, 1, 1, 1.1, 0, 0, 'HelloWorld', 'HelloWorld', [], [], [null], [null], { a: 1, b: 2 }, { a: 1, b: 2 }, { a: 1, b: 1 }], 20),
  ok('States.ArrayLength of an empty array is 0', DOCS, 'States.ArrayLength($.FunctionInput)', [], 0),
  ok('States.ArrayUnique removes duplicates (documentation example)', DOCS, 'States.ArrayUnique($.FunctionInput)', [1, 2, 3, 3, 3, 3, 3, 3, 4], [1, 2, 3, 4]),

  // ---------------------------------------------------------------- States.Base64Encode / Decode
  ok('States.Base64Encode', ENCODE('test_base_64_encode'), 'States.Base64Encode($.FunctionInput)', 'Data to encode', 'RGF0YSB0byBlbmNvZGU='),
  ok('States.Base64Encode of an empty string', ENCODE('test_base_64_encode'), 'States.Base64Encode($.FunctionInput)', '', ''),
  ok('States.Base64Decode', ENCODE('test_base_64_decode'), 'States.Base64Decode($.FunctionInput)', 'RGF0YSB0byBlbmNvZGU=', 'Data to encode'),
  ok('States.Base64Decode of an empty string', ENCODE('test_base_64_decode'), 'States.Base64Decode($.FunctionInput)', '', ''),

  // ---------------------------------------------------------------- States.Hash
  ok('States.Hash MD5', HASH, HASH_EXPR, two('input data', 'MD5'), '812f45842bc6d66ee14572ce20db8e86'),
  ok('States.Hash SHA-1', HASH, HASH_EXPR, two('input data', 'SHA-1'), 'aaff4a450a104cd177d28d18d74485e8cae074b7'),
  ok('States.Hash SHA-256', HASH, HASH_EXPR, two('input data', 'SHA-256'), 'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3'),
  ok('States.Hash SHA-384', HASH, HASH_EXPR, two('input data', 'SHA-384'),
    'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562'),
  ok('States.Hash SHA-512', HASH, HASH_EXPR, two('input data', 'SHA-512'),
    '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4'),
  fails('States.Hash with an unsupported algorithm fails', DOCS, HASH_EXPR, two('input data', 'SHA-999')),

  // ---------------------------------------------------------------- States.StringToJson / JsonToString
  ok('States.StringToJson of an empty string is null', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', '', null),
  ok('States.StringToJson of a blank string is null', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', ' ', null),
  ok('States.StringToJson of "null"', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', 'null', null),
  {
    name: 'States.StringToJson of "-0" is 0',
    source: JSONM('test_string_to_json'),
    definition: fn('States.StringToJson($.FunctionInput)'),
    input: { FunctionInput: '-0' },
    // The recorded output is the JSON text {"FunctionResult":0}.
    expect: { status: 'SUCCEEDED', check: r => expect(JSON.stringify(r.output)).toBe('{"FunctionResult":0}') },
  },
  ok('States.StringToJson of a decimal', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', '1.1', 1.1),
  ok('States.StringToJson of "true"', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', 'true', true),
  ok('States.StringToJson of a quoted string', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', '"HelloWorld"', 'HelloWorld'),
  ok('States.StringToJson of an array', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', '[1, 2, "HelloWorld"]', [1, 2, 'HelloWorld']),
  ok('States.StringToJson of an object', JSONM('test_string_to_json'), 'States.StringToJson($.FunctionInput)', '{"Arg1": 1, "Arg2": []}', { Arg1: 1, Arg2: [] }),
  fails('States.StringToJson of text that is not JSON fails', DOCS, 'States.StringToJson($.FunctionInput)', '{not json'),
  ok('States.JsonToString of null', JSONM('test_json_to_string'), 'States.JsonToString($.FunctionInput)', null, 'null'),
  ok('States.JsonToString of a decimal', JSONM('test_json_to_string'), 'States.JsonToString($.FunctionInput)', 1.1, '1.1'),
  ok('States.JsonToString of true', JSONM('test_json_to_string'), 'States.JsonToString($.FunctionInput)', true, 'true'),
  ok('States.JsonToString of a string quotes it', JSONM('test_json_to_string'), 'States.JsonToString($.FunctionInput)', 'HelloWorld', '"HelloWorld"'),
  ok('States.JsonToString of an array is compact', JSONM('test_json_to_string'), 'States.JsonToString($.FunctionInput)', [1, 2, 'HelloWorld'], '[1,2,"HelloWorld"]'),
  ok('States.JsonToString of an object is compact', JSONM('test_json_to_string'), 'States.JsonToString($.FunctionInput)', { Arg1: 1, Arg2: [] }, '{"Arg1":1,"Arg2":[]}'),

  // ---------------------------------------------------------------- States.JsonMerge
  ok('States.JsonMerge is shallow: the second object wins whole keys', JSONM('test_json_merge'),
    'States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)',
    two({ a: { a1: 1, a2: 2 }, b: 2, d: 3 }, { a: { a3: 1, a4: 2 }, c: 3, d: 4 }),
    { a: { a3: 1, a4: 2 }, b: 2, c: 3, d: 4 }),
  {
    name: 'States.JsonMerge of a parsed literal and the execution input',
    source: JSONM('test_json_merge_escaped_argument'),
    definition: {
      StartAt: 'State_0',
      States: {
        State_0: {
          Type: 'Pass',
          ResultPath: '$.result_path',
          Parameters: {
            'merged.$': "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), $$.Execution.Input.input_field, false)",
          },
          OutputPath: '$.result_path.merged',
          End: true,
        },
      },
    },
    input: { input_field: { constant_input_field: 'constant_value' } },
    expect: { status: 'SUCCEEDED', output: { constant_input_field: 'constant_value', constant_in_literal: 'false' } },
  },
  {
    name: 'States.JsonMerge does not change its arguments',
    source: DOCS,
    definition: {
      StartAt: 'Merge',
      States: {
        Merge: {
          Type: 'Pass',
          Parameters: { 'merged.$': 'States.JsonMerge($.json1, $.json2, false)', 'json1.$': '$.json1', 'json2.$': '$.json2' },
          End: true,
        },
      },
    },
    input: { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } },
    expect: {
      status: 'SUCCEEDED',
      output: {
        merged: { a: { a3: 1, a4: 2 }, b: 2, c: 3 },
        json1: { a: { a1: 1, a2: 2 }, b: 2 },
        json2: { a: { a3: 1, a4: 2 }, c: 3 },
      },
    },
  },
  fails('States.JsonMerge with deep merging (true) fails', DOCS, 'States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.deep)',
    { fst: { a: 1 }, snd: { b: 2 }, deep: true }),

  // ---------------------------------------------------------------- States.MathRandom / MathAdd
  randomIn('States.MathRandom within a positive range', MATH('test_math_random'), 'States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd)',
    two(9999, 99999), 9999, 99999),
  randomIn('States.MathRandom within a negative range', MATH('test_math_random'), 'States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd)',
    two(-99999, -9999), -99999, -9999),
  randomIn('States.MathRandom with a seed stays within range', MATH('test_math_random_seeded'),
    'States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)', { fst: 0, snd: 999, trd: 3 }, 0, 999),
  {
    name: 'States.MathRandom returns an integer',
    source: DOCS,
    definition: fn('States.MathRandom(1, 999)'),
    options: { seed: 11 },
    expect: { status: 'SUCCEEDED', check: r => expect(Number.isInteger((r.output as any).FunctionResult)).toBe(true) },
  },
  ok('States.MathAdd of a negative and a positive integer', MATH('test_math_add'), MATH_ADD, two(-9, 3), -6),
  ok('States.MathAdd rounds 1.49 down and 1.5 up', MATH('test_math_add'), MATH_ADD, two(1.49, 1.5), 3),
  ok('States.MathAdd rounds 1.5 and 1.51 up', MATH('test_math_add'), MATH_ADD, two(1.5, 1.51), 4),
  ok('States.MathAdd rounds -1.49 and -1.5 towards zero', MATH('test_math_add'), MATH_ADD, two(-1.49, -1.5), -2),
  ok('States.MathAdd rounds -1.51 away from zero', MATH('test_math_add'), MATH_ADD, two(-1.5, -1.51), -3),
  ok('States.MathAdd(1.49, -1.49) is 0', MATH('test_math_add'), MATH_ADD, two(1.49, -1.49), 0),
  ok('States.MathAdd rounds half up: 2.5 + 0 = 3', MATH('test_math_add'), MATH_ADD, two(2.5, 0), 3),
  ok('States.MathAdd rounds half up: -2.5 + 0 = -2', MATH('test_math_add'), MATH_ADD, two(-2.5, 0), -2),
  ok('States.MathAdd(-0.5, 0.5) is 1', MATH('test_math_add'), MATH_ADD, two(-0.5, 0.5), 1),
  {
    name: 'States.MathAdd with a literal negative step (documentation example)',
    source: DOCS,
    definition: fn('States.MathAdd($.value1, $.step)'),
    input: { value1: 111, step: -1 },
    expect: { status: 'SUCCEEDED', output: { FunctionResult: 110 } },
  },
  fails('States.MathAdd of a non-numeric string fails', DOCS, MATH_ADD, two('abc', 1)),

  // ---------------------------------------------------------------- States.StringSplit
  ok('States.StringSplit without the delimiter gives one item', STRING('test_string_split'), SPLIT, two(' ', ','), [' ']),
  ok('States.StringSplit keeps blank pieces', STRING('test_string_split'), SPLIT, two(' , ', ','), [' ', ' ']),
  ok('States.StringSplit drops empty pieces', STRING('test_string_split'), SPLIT, two(', , ,', ','), [' ', ' ']),
  ok('States.StringSplit of delimiters only is empty', STRING('test_string_split'), SPLIT, two(',,,,', ','), []),
  ok('States.StringSplit of a list', STRING('test_string_split'), SPLIT, two('1,2,3,4,5', ','), ['1', '2', '3', '4', '5']),
  ok('States.StringSplit splits on each delimiter character', STRING('test_string_split'), SPLIT, two('This.is+a,test=string', '.+,='),
    ['This', 'is', 'a', 'test', 'string']),
  ok('States.StringSplit on a letter and a newline', STRING('test_string_split'), SPLIT, two('split on T and \nnew line', 'T\n'),
    ['split on ', ' and ', 'new line']),
  {
    name: 'States.StringSplit of the execution input through the context object',
    source: STRING('test_string_split_context_object'),
    definition: fn("States.StringSplit($$.Execution.Input.FunctionInput, ',')"),
    input: { FunctionInput: "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n" },
    expect: {
      status: 'SUCCEEDED',
      output: { FunctionResult: ['Value1', 'Value2', 'Value3\nValue4', 'Value5', 'Value6\n', '\ntrue', '1', "'HelloWorld'\nNull", 'None', '\n   \n'] },
    },
  },
  ok('States.StringSplit of literals holding a newline', GENERIC('test_escape_sequence'), "States.StringSplit('Hello\nWorld', '\n')", undefined, ['Hello', 'World']),

  // ---------------------------------------------------------------- States.UUID
  {
    name: 'States.UUID is a version 4 UUID',
    source: UUID,
    definition: fn('States.UUID()'),
    expect: {
      status: 'SUCCEEDED',
      check: r => expect((r.output as any).FunctionResult).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    },
  },
  {
    name: 'States.UUID gives a new value at each call',
    source: DOCS,
    definition: {
      StartAt: 'P',
      States: { P: { Type: 'Pass', Parameters: { 'a.$': 'States.UUID()', 'b.$': 'States.UUID()' }, End: true } },
    },
    expect: { status: 'SUCCEEDED', check: r => expect((r.output as any).a).not.toBe((r.output as any).b) },
  },

  // ---------------------------------------------------------------- States.Format
  ok('States.Format of an empty string', GENERIC('test_format_1'), FORMAT_1, '', 'Formatting argument .'),
  ok('States.Format of a string', GENERIC('test_format_1'), FORMAT_1, 'HelloWorld', 'Formatting argument HelloWorld.'),
  ok('States.Format of null writes null', GENERIC('test_format_1'), FORMAT_1, null, 'Formatting argument null.'),
  ok('States.Format of an integer', GENERIC('test_format_1'), FORMAT_1, 1, 'Formatting argument 1.'),
  ok('States.Format of a decimal', GENERIC('test_format_1'), FORMAT_1, 1.1, 'Formatting argument 1.1.'),
  ok('States.Format of a JSON-looking string inserts it verbatim', GENERIC('test_format_1'), FORMAT_1, '{"Arg1": 1, "Arg2": []}',
    'Formatting argument {"Arg1": 1, "Arg2": []}.'),
  ok('States.Format with two arguments', GENERIC('test_format_2'), FORMAT_2, two('HelloWorld', 'HelloWorld'),
    'Formatting arguments fst=HelloWorld and snd=HelloWorld.'),
  ok('States.Format with two blank arguments', GENERIC('test_format_2'), FORMAT_2, two(' ', ' '), 'Formatting arguments fst=  and snd= .'),
  ok('States.Format writes an object as {key=value}', GENERIC('test_format_2'), FORMAT_2, two({ Arg1: 1, Arg2: [] }, { Arg1: 1, Arg2: [] }),
    'Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.'),
  {
    name: 'States.Format of context object values',
    source: GENERIC('test_context_json_path'),
    definition: fn("States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)"),
    options: { executionName: 'exec-name', stateMachineName: 'machine-name' },
    expect: {
      status: 'SUCCEEDED',
      output: {
        FunctionResult:
          'Formatting arguments fst=exec-name and snd={Id=arn:aws:states:us-east-1:123456789012:stateMachine:machine-name, Name=machine-name}.',
      },
    },
  },
  {
    name: 'States.Format with escaped braces, quote and backslash',
    source: DOCS,
    definition: fn(String.raw`States.Format('a \{literal\} {} \'q\' \\ end', $.FunctionInput)`),
    input: { FunctionInput: 'X' },
    expect: { status: 'SUCCEEDED', output: { FunctionResult: "a {literal} X 'q' \\ end" } },
  },
  {
    name: 'States.Format with a template from the input (documentation example)',
    source: DOCS,
    definition: fn('States.Format($.template, $.name)'),
    input: { name: 'Arnav', template: 'Hello, my name is {}.' },
    expect: { status: 'SUCCEEDED', output: { FunctionResult: 'Hello, my name is Arnav.' } },
  },

  // ---------------------------------------------------------------- nesting and invalid calls
  {
    name: 'Nested call: first piece of the state machine name',
    source: GENERIC('test_nested_calls_1'),
    definition: fn("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)"),
    options: { stateMachineName: 'alpha-beta-gamma' },
    expect: { status: 'SUCCEEDED', output: { FunctionResult: 'alpha' } },
  },
  {
    name: 'Nested call: last piece of the state machine name through MathAdd and ArrayLength',
    source: GENERIC('test_nested_calls_2'),
    definition: fn("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))"),
    options: { stateMachineName: 'alpha-beta-gamma' },
    expect: { status: 'SUCCEEDED', output: { FunctionResult: 'gamma' } },
  },
  {
    name: 'An intrinsic in a Fail state CausePath and ErrorPath',
    source: 'localstack:tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json#tests/aws/services/stepfunctions/v2/base/test_base.py::TestSnfBase::test_state_fail_intrinsic',
    definition: {
      StartAt: 'FailState',
      States: {
        FailState: {
          Type: 'Fail',
          ErrorPath: "States.Format('{}', $.Error)",
          CausePath: "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
        },
      },
    },
    input: { Error: 'error string', Cause: 'cause string' },
    expect: { status: 'FAILED', error: 'error string', cause: 'This is a custom error message for error string, caused by cause string.' },
  },
];
