/**
 * Step Functions Local's mock configuration file on the local endpoint: the developer guide's own
 * example (`LambdaSQSIntegration`, its HappyPath, RetryPath and HybridPath test cases), run through
 * the SDK with `<stateMachineArn>#<TestCase>`, and the mistakes a file can hold, refused clearly.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { MockConfig, MockConfigError } from '../../../src/testing/endpoint/mock-config';
import { LocalStepFunctions, startLocalStepFunctions } from '../../../src/testing/endpoint/server';
import { tempDir } from '../../cli/example-assembly';

// https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html, as the guide gives it.
const HELLO = { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } };
const CONFIG = {
  StateMachines: {
    MapOfTwo: { TestCases: { Two: { LambdaState: 'TwoInvocations' } } },
    LambdaSQSIntegration: {
      TestCases: {
        HappyPath: { LambdaState: 'MockedLambdaSuccess', SQSState: 'MockedSQSSuccess' },
        RetryPath: { LambdaState: 'MockedLambdaRetry', SQSState: 'MockedSQSSuccess' },
        HybridPath: { LambdaState: 'MockedLambdaSuccess' },
        NotEnough: { LambdaState: 'LambdaMockedResourceNotReady' },
      },
    },
  },
  MockedResponses: {
    MockedLambdaSuccess: { 0: { Return: HELLO } },
    LambdaMockedResourceNotReady: { 0: { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } } },
    MockedSQSSuccess: { 0: { Return: { MD5OfMessageBody: '3bcb6e8e-7h85-4375-b0bc-1a59812c6e51', MessageId: '3bcb6e8e-8b51-4375-b0bc-1a59812c6e51' } } },
    TwoInvocations: { 0: { Return: { Payload: 'first' } }, 1: { Return: { Payload: 'second' } } },
    MockedLambdaRetry: {
      '0': { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } },
      '1-2': { Throw: { Error: 'Lambda.TimeoutException', Cause: 'Lambda timed out.' } },
      '3': { Return: HELLO },
    },
  },
};
const DEFINITION = {
  Comment: 'This state machine is called: LambdaSQSIntegration',
  StartAt: 'LambdaState',
  States: {
    LambdaState: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'Payload.$': '$', 'FunctionName': 'arn:aws:lambda:us-east-1:123456789012:function:HelloWorldFunction' },
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: 'SQSState',
    },
    SQSState: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { 'QueueUrl': 'https://sqs.us-east-1.amazonaws.com/123456789012/myQueue', 'MessageBody.$': '$' },
      End: true,
    },
  },
};

let sfn: LocalStepFunctions;
let client: SFNClient;
let arn: string;

beforeAll(async () => {
  const file = path.join(tempDir('mock-config'), 'MockConfigFile.json');
  fs.writeFileSync(file, JSON.stringify(CONFIG));
  sfn = await startLocalStepFunctions({ port: 0, time: 'virtual', mocks: file });
  client = new SFNClient(sfn.clientConfig);
  arn = (await client.send(new CreateStateMachineCommand({
    name: 'LambdaSQSIntegration', definition: JSON.stringify(DEFINITION), roleArn: 'arn:aws:iam::123456789012:role/DummyRole',
  }))).stateMachineArn!;
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
});

async function run(testCase: string) {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `${arn}#${testCase}`, name: `with-${testCase}` }));
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') {
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
      return { executionArn, described, events: events! };
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

test('HappyPath: each mocked task answers its Return, the Lambda mock as the whole response', async () => {
  const { executionArn, described, events } = await run('HappyPath');
  // The ARN has no test case in it, as Step Functions Local's has none.
  expect(executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:with-HappyPath');
  expect(described.status).toBe('SUCCEEDED');
  expect(JSON.parse(described.output!)).toEqual(CONFIG.MockedResponses.MockedSQSSuccess[0].Return);
  const lambda = events.find(e => e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.resourceType === 'lambda');
  expect(JSON.parse(lambda!.taskSucceededEventDetails!.output!)).toEqual(HELLO);
});

test('RetryPath: attempt 0 throws, 1-2 throw, 3 returns: three retries, then the Return', async () => {
  const { described, events } = await run('RetryPath');
  expect(described.status).toBe('SUCCEEDED');
  expect(events.filter(e => e.type === 'TaskFailed').map(e => e.taskFailedEventDetails!.error))
    .toEqual(['Lambda.ResourceNotReadyException', 'Lambda.TimeoutException', 'Lambda.TimeoutException']);
  // The retries waited 2, 4 and 8 seconds of virtual time.
  expect(described.stopDate!.getTime() - described.startDate!.getTime()).toBe(14_000);
});

test('HybridPath: a state the test case does not mock calls the service (here the local SQS stand-in)', async () => {
  const { described } = await run('HybridPath');
  expect(described.status).toBe('SUCCEEDED');
  expect(JSON.parse(described.output!).MessageId).toMatch(/^offline-sqs-message-/);
});

test('an attempt the mocked response does not cover fails the execution, and says which to add', async () => {
  const { described } = await run('NotEnough');
  expect(described.status).toBe('FAILED');
  expect(described.error).toBe('Local.SetupError');
  expect(described.cause).toContain("the mocked response 'LambdaMockedResourceNotReady' of state 'LambdaState' has no answer for invocation 1");
});

test('a Map\'s iterations are invocations one after another, as Step Functions Local counts them', async () => {
  const { LambdaState } = DEFINITION.States;
  const { stateMachineArn } = await client.send(new CreateStateMachineCommand({
    name: 'MapOfTwo',
    roleArn: 'arn:aws:iam::123456789012:role/DummyRole',
    definition: JSON.stringify({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 1,
          End: true,
          ItemProcessor: { StartAt: 'LambdaState', States: { LambdaState: { ...LambdaState, Next: undefined, End: true, OutputPath: '$.Payload' } } },
        },
      },
    }),
  }));
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#Two`, input: '[1, 2]' }));
  let described;
  do described = await client.send(new DescribeExecutionCommand({ executionArn })); while (described.status === 'RUNNING');
  expect(JSON.parse(described.output!)).toEqual(['first', 'second']);
});

test('a test case the file does not have is refused when the execution starts', async () => {
  await expect(client.send(new StartExecutionCommand({ stateMachineArn: `${arn}#SadPath` })))
    .rejects.toMatchObject({ name: 'InvalidName', message: expect.stringContaining('its test cases: HappyPath, RetryPath, HybridPath, NotEnough') });
});

test('a test case that mocks a state the state machine does not have is refused, not run as if unmocked', async () => {
  const typo = await startLocalStepFunctions({
    port: 0,
    time: 'virtual',
    mocks: { StateMachines: { Typo: { TestCases: { T: { LambdaStat: 'MockedLambdaSuccess' } } } }, MockedResponses: CONFIG.MockedResponses },
  });
  const typoClient = new SFNClient(typo.clientConfig);
  try {
    const { stateMachineArn } = await typoClient.send(new CreateStateMachineCommand({ name: 'Typo', definition: JSON.stringify(DEFINITION), roleArn: 'arn:aws:iam::123456789012:role/R' }));
    await expect(typoClient.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#T` }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "The mock configuration file does not fit this state machine: test case 'T' of 'Typo' mocks 'LambdaStat', which is not a Task state of it (its Task states: LambdaState, SQSState)",
    });
  } finally {
    typoClient.destroy();
    await typo.stop();
  }
});

describe('a mock configuration file that does not follow the format', () => {
  test.each([
    [{ StateMachine: {} }, 'StateMachine: is not a field of the format (StateMachines, MockedResponses)'],
    [{ MockedResponses: { R: { first: { Return: 1 } } } }, 'MockedResponses["R"]["first"]: an attempt is a number from 0 ("0") or an inclusive range ("1-2")'],
    [{ MockedResponses: { R: { 0: { Return: 1, Throw: {} } } } }, 'must hold exactly one field, "Return" (the result) or "Throw"'],
    [{ MockedResponses: { R: { 0: { Throw: { Error: 'E' } } } } }, 'must be an object with "Error" and "Cause", both strings'],
    [{ MockedResponses: { R: { '0-2': { Return: 1 }, '2': { Return: 2 } } } }, 'MockedResponses["R"]["0-2"]: overlaps "2": each attempt has one answer'],
    [{ StateMachines: { M: { TestCases: { T: { S: 'Missing' } } } } }, 'StateMachines["M"].TestCases["T"]["S"]: names no mocked response ("Missing"; MockedResponses: none)'],
  ])('fails when %j', (doc, message) => {
    expect(() => MockConfig.parse(doc, 'MockConfigFile.json')).toThrow(MockConfigError);
    expect(() => MockConfig.parse(doc, 'MockConfigFile.json')).toThrow(message);
  });
});
