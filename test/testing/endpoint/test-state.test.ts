/**
 * TestState on the local endpoint, checked against what AWS answered to the same requests (recorded
 * in LocalStack's tests/aws/services/stepfunctions/v2/test_state/*.snapshot.json).
 */
import { SFNClient, TestStateCommand, TestStateCommandInput } from '@aws-sdk/client-sfn';
import { LocalStepFunctions, startLocalStepFunctions } from '../../../src/testing/endpoint/server';

let sfn: LocalStepFunctions;
let client: SFNClient;

beforeAll(async () => {
  sfn = await startLocalStepFunctions({ port: 0, time: 'virtual' });
  client = new SFNClient(sfn.clientConfig);
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
});

const ROLE = 'arn:aws:iam::111111111111:role/TestState';

async function testState(input: Omit<TestStateCommandInput, 'definition'> & { definition: object | string }) {
  const { $metadata: _m, ...answer } = await client.send(new TestStateCommand({
    ...input, definition: typeof input.definition === 'string' ? input.definition : JSON.stringify(input.definition),
  }));
  // Data fields are JSON text on the wire: parsed here to compare.
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const inspection = answer.inspectionData
    ? Object.fromEntries(Object.entries(answer.inspectionData).map(([k, v]) => [k, k === 'errorDetails' ? v : parse(v)]))
    : undefined;
  const output = answer.output !== undefined ? { output: parse(answer.output) } : {};
  return { ...answer, ...output, ...(inspection ? { inspectionData: inspection } : {}) };
}

test('a JSONPath Pass at DEBUG: each step of its data flow (recorded: test_base_inspection_level_debug[IO_PASS_STATE])', async () => {
  const input = { initialData: { fieldFromInput: 'value from input', otherField: 'other' }, unrelatedData: { someOtherField: 1234 } };
  const answer = await testState({
    definition: { Type: 'Pass', InputPath: '$.initialData', Parameters: { 'staticValue': 'some value', 'inputValue.$': '$.fieldFromInput' }, ResultPath: '$.modifiedData', End: true },
    roleArn: ROLE,
    input: JSON.stringify(input),
    inspectionLevel: 'DEBUG',
  });
  const modified = { staticValue: 'some value', inputValue: 'value from input' };
  expect(answer).toEqual({
    status: 'SUCCEEDED',
    output: { ...input, modifiedData: modified },
    inspectionData: {
      input,
      afterInputPath: input.initialData,
      afterParameters: modified,
      afterResultSelector: modified,
      afterResultPath: { ...input, modifiedData: modified },
    },
  });
});

test('a Fail state at INFO: FAILED with its error and cause, nothing else (recorded: test_base_inspection_level_info[BASE_FAIL_STATE])', async () => {
  expect(await testState({
    definition: { Type: 'Fail', Error: 'SomeFailure', Cause: "This state machines raises a 'SomeFailure' failure." },
    input: JSON.stringify({ Value: 'HelloWorld' }),
    inspectionLevel: 'INFO',
  })).toEqual({ status: 'FAILED', error: 'SomeFailure', cause: "This state machines raises a 'SomeFailure' failure." });
});

test('a Choice names the state it goes to', async () => {
  const answer = await testState({
    definition: { Type: 'Choice', Choices: [{ Variable: '$.age', NumericGreaterThanEquals: 20, Next: 'ValueInTwenties' }], Default: 'Other' },
    input: JSON.stringify({ age: 24 }),
    inspectionLevel: 'DEBUG',
  });
  expect(answer).toEqual({ status: 'SUCCEEDED', nextState: 'ValueInTwenties', output: { age: 24 }, inspectionData: { input: { age: 24 }, afterInputPath: { age: 24 } } });
});

const lambdaTask = (extra: object) => ({
  Type: 'Task',
  QueryLanguage: 'JSONata',
  Resource: 'arn:aws:states:::lambda:invoke',
  Arguments: { FunctionName: 'foo', Payload: 'bar' },
  End: true,
  ...extra,
});

test('a mocked error a catcher takes: CAUGHT_ERROR, its index and the state it goes to (recorded: test_state_task_catch_error)', async () => {
  const definition = lambdaTask({
    Catch: [
      { ErrorEquals: ['MockException'], Next: 'HandleMockError', Output: '{% $states.errorOutput %}' },
      { ErrorEquals: ['States.TaskFailed'], Next: 'HandleThreshold' },
    ],
  });
  const caught = await testState({
    definition,
    input: JSON.stringify({ Value: 'HelloWorld' }),
    inspectionLevel: 'DEBUG',
    mock: { errorOutput: { error: 'MockException', cause: 'Mock the cause of the error.' } },
  });
  expect(caught).toMatchObject({
    status: 'CAUGHT_ERROR',
    error: 'MockException',
    cause: 'Mock the cause of the error.',
    nextState: 'HandleMockError',
    output: { Error: 'MockException', Cause: 'Mock the cause of the error.' },
    inspectionData: { input: { Value: 'HelloWorld' }, afterArguments: { FunctionName: 'foo', Payload: 'bar' }, errorDetails: { catchIndex: 0 } },
  });
  const other = await testState({ definition, input: '{}', inspectionLevel: 'DEBUG', mock: { errorOutput: { error: 'States.TaskFailed', cause: 'c' } } });
  expect(other).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'HandleThreshold', inspectionData: { errorDetails: { catchIndex: 1 } } });
});

test('a retrier with attempts left: RETRIABLE and the backoff; with none left, FAILED (recorded: test_state_configuration_retrier_retry_count)', async () => {
  const definition = lambdaTask({ Retry: [{ ErrorEquals: ['MockException'], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2.0 }] });
  const mock = { errorOutput: { error: 'MockException', cause: 'Mock the cause of the error.' } };
  expect(await testState({ definition, mock, inspectionLevel: 'DEBUG', stateConfiguration: { retrierRetryCount: 4 } })).toMatchObject({
    status: 'RETRIABLE', error: 'MockException', inspectionData: { errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 16 } },
  });
  const spent = await testState({ definition, mock, inspectionLevel: 'DEBUG', stateConfiguration: { retrierRetryCount: 5 } });
  expect(spent).toMatchObject({ status: 'FAILED', error: 'MockException', inspectionData: { errorDetails: { retryIndex: 0 } } });
  expect(spent.output).toBeUndefined();
});

test('a mocked result is the task\'s whole result, not wrapped (recorded: test_base_lambda_service_task_mock_success)', async () => {
  expect(await testState({
    definition: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.FunctionName', 'Payload.$': '$.Payload' }, End: true },
    input: JSON.stringify({ FunctionName: 'lambda_func_x', Payload: null }),
    inspectionLevel: 'INFO',
    mock: { result: JSON.stringify({ Payload: 'function output', SdkHttpMetadata: { HttpStatusCode: 200 } }) },
  })).toEqual({ status: 'SUCCEEDED', output: { Payload: 'function output', SdkHttpMetadata: { HttpStatusCode: 200 } } });
});

test('a mocked Parallel gives the mock as its branches\' results (recorded: test_base_parallel_state_mock_success)', async () => {
  const result = [{ branch1: 'result' }, { branch2: 'result' }];
  const parallel = {
    Type: 'Parallel',
    End: true,
    Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }],
  };
  expect(await testState({ definition: parallel, input: JSON.stringify({ key: 'value' }), mock: { result: JSON.stringify(result) } }))
    .toEqual({ status: 'SUCCEEDED', output: result });
});

test('one state of a whole definition, with variables (stateName, variables)', async () => {
  const definition = {
    QueryLanguage: 'JSONata',
    StartAt: 'State0',
    States: {
      State0: { Type: 'Pass', Output: '{% {"seen": $var_input_value, "next": $var_constant_1 + 1} %}', Next: 'State1' },
      State1: { Type: 'Succeed' },
    },
  };
  expect(await testState({
    definition, stateName: 'State0', input: '{}', variables: JSON.stringify({ var_input_value: 'test_value', var_constant_1: 10 }),
  })).toEqual({ status: 'SUCCEEDED', nextState: 'State1', output: { seen: 'test_value', next: 11 } });
});

test('variables are taken as they are: nothing in them is evaluated, in either language', async () => {
  const literal = { 'path.$': '$.nowhere', 'expr': '{% 1 + 1 %}' };
  expect(await testState({
    definition: { Type: 'Pass', Parameters: { 'v.$': '$v' }, End: true }, input: '{}', variables: JSON.stringify({ v: literal }),
  })).toEqual({ status: 'SUCCEEDED', output: { v: literal } });
});

test.each([
  ['arn:aws:states:::sns:publish.waitForTaskToken', { 'TopicArn': 't', 'Message.$': '$$.Task.Token' }],
  ['arn:aws:states:::lambda:invoke.waitForTaskToken', { FunctionName: 'f', Payload: { 'token.$': '$$.Task.Token' } }],
  ['arn:aws:states:::states:startExecution.sync:2', { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Child' }],
])('a mocked %s task answers its mock at once (TestState takes callbacks and .sync with a mock)', async (resource, parameters) => {
  const definition = { Type: 'Task', Resource: resource, Parameters: parameters, End: true };
  expect(await testState({ definition, input: '{}', mock: { result: '{"ok":1}' } })).toEqual({ status: 'SUCCEEDED', output: { ok: 1 } });
  expect(await testState({ definition, input: '{}', mock: { errorOutput: { error: 'Nope', cause: 'c' } } })).toEqual({ status: 'FAILED', error: 'Nope', cause: 'c' });
});

describe('a mocked Map and its tolerance (mapIterationFailureCount)', () => {
  const map = (tolerance: object) => ({
    Type: 'Map',
    End: true,
    ...tolerance,
    ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
  });
  const run = (tolerance: object, failures: number) => testState({
    definition: map(tolerance), input: '{}', mock: { result: '[1, 1, 1, 1]' }, stateConfiguration: { mapIterationFailureCount: failures },
  });

  test.each([
    [{}, 0, 'SUCCEEDED'],
    [{}, 1, 'FAILED'],
    [{ ToleratedFailureCount: 1 }, 1, 'SUCCEEDED'],
    [{ ToleratedFailureCount: 1 }, 2, 'FAILED'],
    [{ ToleratedFailurePercentage: 50 }, 2, 'SUCCEEDED'],
    [{ ToleratedFailurePercentage: 50 }, 3, 'FAILED'],
    [{ ToleratedFailureCount: 3, ToleratedFailurePercentage: 25 }, 2, 'FAILED'],
  ])('%j with %d failed iterations of 4: %s', async (tolerance, failures, status) => {
    const answer = await run(tolerance, failures);
    expect(answer.status).toBe(status);
    if (status === 'FAILED') expect(answer).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded' });
  });

  test('errorCausedByState must name a state of the Map', async () => {
    await expect(testState({ definition: map({}), mock: { errorOutput: { error: 'E', cause: 'c' } }, stateConfiguration: { errorCausedByState: 'Nope' } }))
      .rejects.toMatchObject({ name: 'ValidationException', message: "stateConfiguration.errorCausedByState names no state of this Map ('Nope'; its states: Work)" });
    expect(await testState({ definition: map({}), mock: { errorOutput: { error: 'E', cause: 'c' } }, stateConfiguration: { errorCausedByState: 'Work' } }))
      .toMatchObject({ status: 'FAILED', error: 'E', cause: 'c' });
  });
});

describe('refused as AWS refuses', () => {
  test.each([
    [{ definition: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } }, 'InvalidDefinition',
      'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]'],
    [{ definition: { Type: 'Pass', End: true }, mock: { result: '{}' } }, 'ValidationException', "State type 'Pass' is not supported when a mock is specified"],
    [{ definition: lambdaTask({}), mock: { result: '{}', errorOutput: { error: 'E' } } }, 'ValidationException',
      'A test mock should have only one of the following fields: [result, errorOutput].'],
    [{ definition: lambdaTask({}), mock: { result: 'not json' } }, 'ValidationException', 'Mocked result must be valid JSON'],
    [{ definition: lambdaTask({}) }, 'ValidationException', 'RoleArn must be specified when testing a Task state'],
    [{ definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, stateName: 'dne' }, 'ValidationException', 'State not found in definition'],
    [{ definition: 'not json' }, 'InvalidDefinition', 'INVALID_JSON_DESCRIPTION'],
    [{ definition: { Type: 'Nope' } }, 'InvalidDefinition',
      "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/StateName/Type"],
    [{ definition: { Type: 'Pass', End: true }, variables: '[1]' }, 'ValidationException', 'variables must be a JSON object'],
  ])('%j: %s', async (input, name, message) => {
    await expect(testState(input as any)).rejects.toMatchObject({ name, message: expect.stringContaining(message) });
  });

  test('a task with a role and no mock runs only what this endpoint can run', async () => {
    await expect(testState({ definition: lambdaTask({}), roleArn: ROLE }))
      .rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('give TestState a mock') });
  });
});
