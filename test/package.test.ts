/**
 * The construct library's only runtime dependencies are its peers (aws-cdk-lib, constructs): loading
 * it must not require the AWS SDK (provided by Lambda to the bundled handlers), the test harness or
 * the command-line tool's libraries.
 */
const DEV_ONLY = [
  '@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sfn', '@aws-sdk/client-sns',
  'aws-sdk-client-mock', 'asl-validator', '@dagrejs/dagre', 'playwright-core', 'cdk-nag',
];

test('loading the library requires none of the development-only packages', () => {
  jest.isolateModules(() => {
    for (const name of DEV_ONLY) {
      jest.doMock(name, () => {
        throw new Error(`the library requires ${name} at runtime`);
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('../src');
    expect(Object.keys(lib)).toEqual(expect.arrayContaining(['Workflow', 'ApprovalGate', 'FanOutMap', 'StockTradingWorkflow']));
  });
});

test('the check works: code that requires a development-only package fails', () => {
  jest.isolateModules(() => {
    jest.doMock('@aws-sdk/client-sfn', () => {
      throw new Error('the library requires @aws-sdk/client-sfn at runtime');
    });
    // The handlers load the SDK when they first call AWS (src/private/approval/aws.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const aws = require('../src/private/approval/aws');
    expect(() => aws.stepFunctions()).toThrow(/the library requires @aws-sdk\/client-sfn at runtime/);
  });
});
