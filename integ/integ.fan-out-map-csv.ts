/**
 * Integration test: a distributed FanOutMap over a CSV object in S3, two rows per child execution,
 * results written to S3. Offline (`npm test`), integ-runner synthesizes it and compares with the
 * committed snapshot. With AWS credentials it deploys, uploads the CSV, starts an execution and
 * waits for SUCCEEDED.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { expectExecution } from './execution-assertions';
import { FanOutMap, FanOutProcessor, ItemSource, ToleratedFailure, Workflow } from '../src';

const CSV_KEY = 'incoming/customers.csv';

const app = new App();
const stack = new Stack(app, 'FanOutCsvInteg');
const bucketProps = { enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true };
const data = new s3.Bucket(stack, 'Data', bucketProps);
const results = new s3.Bucket(stack, 'Results', bucketProps);
const welcome = new lambda.Function(stack, 'Welcome', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async (batch) => batch.Items.map((c) => ({ id: c.id, greeted: c.email }));'),
  timeout: Duration.seconds(10),
});
const fanOut = new FanOutMap(stack, 'Welcome customers', {
  items: ItemSource.s3Csv(data, CSV_KEY, { headers: sfn.CsvHeaders.useFirstRow() }),
  processor: FanOutProcessor.lambda(welcome),
  batching: { maxItemsPerBatch: 2 },
  toleratedFailure: ToleratedFailure.percentage(10),
  resultBucket: results,
});
const workflow = new Workflow(stack, 'CsvWorkflow', { definition: fanOut, timeout: Duration.minutes(10) });

const integ = new IntegTest(app, 'FanOutCsvTest', { testCases: [stack] });
const upload = integ.assertions.awsApiCall('S3', 'putObject', {
  Bucket: data.bucketName,
  Key: CSV_KEY,
  Body: 'id,email\n1,ada@example.com\n2,alan@example.com\n3,grace@example.com\n',
});
upload.next(expectExecution(integ, workflow.stateMachineArn, { input: {}, expected: { status: 'SUCCEEDED' }, totalTimeout: Duration.minutes(5) }));

app.synth();
