import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import {
  FanOutMap, FanOutMapProps, FanOutMode, FanOutProcessor, ItemSource, LambdaRetry, ToleratedFailure, Workflow, WorkflowType,
} from '../../src';
import { arnOf, aslOf } from '../support/asl';
import { LocalS3, TaskFailure, itemProcessorOf, runLocally } from '../support/local-execution';
import { expectNagClean } from '../support/nag';
import { snapshotOf } from '../support/snapshot';
import { synthErrors } from '../support/synth';

function newStack() {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** A Lambda function that is cdk-nag clean on its own, so that findings come from the fan-out. */
function fn(stack: Stack, id = 'Fn') {
  const f = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => e'),
  });
  const why = 'A stand-in processor function of the test; its runtime and logging role are not what the fan-out is checked for.';
  (f.node.defaultChild as lambda.CfnFunction).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-L1', reason: why }] });
  (f.role!.node.defaultChild as iam.CfnRole).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-IAM4', reason: why }] });
  return f;
}

/** A data bucket, with server access logs so that it is cdk-nag clean. */
function dataBucket(stack: Stack, props: s3.BucketProps = {}, id = 'Data') {
  const logs = new s3.Bucket(stack, `${id}AccessLogs`, { enforceSSL: true, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
  (logs.node.defaultChild as s3.CfnBucket).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: 'This bucket receives the server access logs of the data bucket in the test.' }] });
  return new s3.Bucket(stack, id, { enforceSSL: true, serverAccessLogsBucket: logs, ...props });
}

function fanOut(stack: Stack, props: Partial<FanOutMapProps> & Pick<FanOutMapProps, 'items'>, id = 'Each') {
  const map = new FanOutMap(stack, id, { processor: FanOutProcessor.lambda(fn(stack)), ...props });
  const workflow = new Workflow(stack, 'W', { definition: map });
  return { map, workflow, asl: () => aslOf(stack, workflow) };
}

function statements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function statementsWith(stack: Stack, action: string): any[] {
  return statements(stack).filter(s => [s.Action].flat().includes(action));
}

const csv = { headers: sfn.CsvHeaders.useFirstRow() };

describe('FanOutMap inline (items in the state input)', () => {
  test('an inline Map over the array, 40 at a time, each item through the Lambda function with the transient retries', () => {
    const stack = newStack();
    const { map, asl } = fanOut(stack, { items: ItemSource.jsonArray('$.orders') });
    const state = asl().States.Each;
    expect(state).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.orders',
      MaxConcurrency: 40,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Each: each item' },
      End: true,
    });
    expect(state.ItemProcessor.States['Each: each item']).toMatchObject({
      Type: 'Task',
      Resource: arnOf(stack.node.findChild('Fn')),
      Retry: [expect.objectContaining({ ErrorEquals: LambdaRetry.TRANSIENT_ERRORS, JitterStrategy: 'FULL', MaxAttempts: 6 })],
    });
    expect(state.ItemReader).toBeUndefined();
    expect(state.ResultWriter).toBeUndefined();
    expect(asl()).toBeValidAsl();
    expect(map.mode).toBe(FanOutMode.INLINE);
    expect(map.maxConcurrency).toBe(40);
    expect(map.childExecutionType).toBeUndefined();
    expect(map.resultBucket).toBeUndefined();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    expect(Object.keys(t.findResources('AWS::IAM::Policy')).some(id => id.includes('DistributedMapPolicy'))).toBe(false);
  });

  test('items, item selector, result path and chaining', () => {
    const stack = newStack();
    const map = new FanOutMap(stack, 'Each', {
      items: ItemSource.jsonArray(),
      processor: FanOutProcessor.chain(new tasks.SnsPublish(stack, 'Publish', { topic: new sns.Topic(stack, 'T'), message: sfn.TaskInput.fromJsonPathAt('$.text') })),
      itemSelector: sfn.TaskInput.fromObject({ 'text.$': '$$.Map.Item.Value', 'runId.$': '$.runId' }),
      maxConcurrency: 5,
      resultPath: '$.published',
      stateName: 'Publish all',
      comment: 'one message per item',
    });
    const workflow = new Workflow(stack, 'W', { definition: map.next(new sfn.Succeed(stack, 'Done')) });
    const state = aslOf(stack, workflow).States['Publish all'];
    expect(state).toMatchObject({
      ItemsPath: '$',
      ItemSelector: { 'text.$': '$$.Map.Item.Value', 'runId.$': '$.runId' },
      MaxConcurrency: 5,
      ResultPath: '$.published',
      Comment: 'one message per item',
      Next: 'Done',
    });
    expect(Object.keys(state.ItemProcessor.States)).toEqual(['Publish']);
  });

  test('a default inline fan-out in a workflow is cdk-nag clean', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.jsonArray('$.items') });
    expect(asl()).toBeValidAsl();
    expectNagClean(stack);
  });

  describe.each(['JSONPath', 'JSONata'])('local execution, %s', language => {
    const queryLanguage = language === 'JSONata' ? sfn.QueryLanguage.JSONATA : sfn.QueryLanguage.JSON_PATH;
    function inline(catchErrors?: string[]) {
      const stack = newStack();
      const processorFn = fn(stack, 'Resize');
      const map = new FanOutMap(stack, 'Resize all', {
        items: ItemSource.jsonArray('$.images'),
        processor: FanOutProcessor.lambda(processorFn, { catchErrors, transientRetry: { maxAttempts: 2 } }),
        resultPath: '$.resized',
        queryLanguage,
      });
      const workflow = new Workflow(stack, 'W', { definition: map.next(new sfn.Succeed(stack, 'Done')), queryLanguage });
      const asl = aslOf(stack, workflow);
      expect(asl).toBeValidAsl();
      expect(asl.QueryLanguage).toBe(language);
      expect(asl.States['Resize all'].QueryLanguage).toBe(language);
      return { asl, fnArn: arnOf(processorFn), stack };
    }

    test('cdk-nag AwsSolutions finds nothing unsuppressed', () => {
      expectNagClean(inline(['InvalidImage']).stack);
    });

    test('every item runs through the processor; a throttled item is retried; a bad item is caught and the others go on', async () => {
      const { asl, fnArn } = inline(['InvalidImage']);
      const attempts: Record<string, number> = {};
      const run = await runLocally(asl, {
        input: { images: ['a.png', 'bad.png', 'c.png'] },
        resources: {
          [fnArn]: (name: string) => {
            attempts[name] = (attempts[name] ?? 0) + 1;
            if (name === 'bad.png') throw new TaskFailure('InvalidImage', 'not an image');
            if (name === 'c.png' && attempts[name] === 1) throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate exceeded');
            return { name, resized: true };
          },
        },
      });
      expect([run.status, run.error, run.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
      expect(run.output).toEqual({
        images: ['a.png', 'bad.png', 'c.png'],
        resized: [
          { name: 'a.png', resized: true },
          { error: { Error: 'InvalidImage', Cause: 'not an image' } },
          { name: 'c.png', resized: true },
        ],
      });
      expect(run.retries).toEqual([{ state: 'Resize all: each item', error: 'Lambda.TooManyRequestsException', attempt: 1 }]);
      expect(run.catches).toEqual([{ state: 'Resize all: each item', error: 'InvalidImage', next: 'Resize all: each item failed' }]);
      expect(run.path[0]).toBe('Resize all');
      expect(run.path.filter(s => s === 'Resize all: each item')).toHaveLength(3);
      expect(run.path.filter(s => s === 'Resize all: each item failed')).toHaveLength(1);
      expect(run.path[run.path.length - 1]).toBe('Done');
    });

    test('without catchErrors, one failed item fails the map', async () => {
      const { asl, fnArn } = inline();
      const run = await runLocally(asl, {
        input: { images: ['a.png', 'bad.png'] },
        resources: { [fnArn]: (name: string) => { if (name === 'bad.png') throw new TaskFailure('InvalidImage', 'not an image'); return name; } },
      });
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('InvalidImage');
      expect(run.path).not.toContain('Done');
    });

    test('an empty list gives an empty result', async () => {
      const { asl, fnArn } = inline();
      const run = await runLocally(asl, { input: { images: [] }, resources: { [fnArn]: () => { throw new Error('not called'); } } });
      expect(run.output).toEqual({ images: [], resized: [] });
      expect(run.path).toEqual(['Resize all', 'Done']);
    });
  });
});

describe('FanOutMap distributed (items in S3)', () => {
  test.each([
    ['s3Objects', (b: s3.IBucket) => ItemSource.s3Objects(b, 'incoming/'), {
      Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Prefix: 'incoming/' },
    }],
    ['s3Json', (b: s3.IBucket) => ItemSource.s3Json(b, 'in/items.json'), {
      Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Key: 'in/items.json' },
    }],
    ['s3JsonLines', (b: s3.IBucket) => ItemSource.s3JsonLines(b, 'in/items.jsonl', { maxItems: 100 }), {
      Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL', MaxItems: 100 }, Parameters: { Key: 'in/items.jsonl' },
    }],
    ['s3Csv', (b: s3.IBucket) => ItemSource.s3Csv(b, 'in/rows.csv', csv), {
      Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'COMMA' }, Parameters: { Key: 'in/rows.csv' },
    }],
    ['s3Manifest', (b: s3.IBucket) => ItemSource.s3Manifest(b, 'inv/src/cfg/2024-01-01T00-00Z/manifest.json'), {
      Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'MANIFEST' }, Parameters: { Key: 'inv/src/cfg/2024-01-01T00-00Z/manifest.json' },
    }],
  ])('%s: a Distributed Map with its item reader, Express children of 100 items, 1000 items at a time, results to S3', (_name, source, reader) => {
    const stack = newStack();
    const bucket = dataBucket(stack);
    const { map, asl } = fanOut(stack, { items: source(bucket) });
    const state = asl().States.Each;
    expect(state.ItemReader).toMatchObject(reader);
    expect(state.ItemReader.Parameters.Bucket).toBe(arnOf(bucket, 'Ref'));
    expect(state).toMatchObject({
      MaxConcurrency: 100, // children, each running 10 of its items at a time: 1000 items
      Label: 'Each',
      ItemBatcher: { MaxItemsPerBatch: 100, MaxInputBytesPerBatch: 262144 },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Each: items' },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: arnOf(map.resultBucket!, 'Ref'), Prefix: 'fan-out/Each' },
        WriterConfig: { OutputType: 'JSON', Transformation: 'NONE' },
      },
      Next: 'Each: summary',
    });
    expect(state.ItemsPath).toBeUndefined();
    expect(asl()).toBeValidAsl();
    expect(map.mode).toBe(FanOutMode.DISTRIBUTED);
    expect(map.childExecutionType).toBe(sfn.StateMachineType.EXPRESS);
    expect(map.itemsPerChildExecution).toBe(100);
    expect(map.maxConcurrency).toBe(1000);
  });

  test('the summary reads the item counts of the map run; the output points at the results', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), resultPath: '$.report' });
    const definition = asl();
    expect(definition.States.Each.ResultPath).toBe('$.report');
    expect(definition.States['Each: summary']).toEqual({
      Type: 'Task',
      QueryLanguage: 'JSONPath',
      Comment: 'Reads how many items succeeded and failed (DescribeMapRun)',
      Resource: 'arn:aws:states:::aws-sdk:sfn:describeMapRun',
      Parameters: { 'MapRunArn.$': '$.report.MapRunArn' },
      ResultSelector: {
        'Succeeded.$': '$.ItemCounts.Succeeded',
        'Failed.$': '$.ItemCounts.Failed',
        'TimedOut.$': '$.ItemCounts.TimedOut',
        'Aborted.$': '$.ItemCounts.Aborted',
        'Total.$': '$.ItemCounts.Total',
        'ResultsWritten.$': '$.ItemCounts.ResultsWritten',
      },
      ResultPath: '$.report.ItemCounts',
      Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
      End: true,
    });
  });

  test('keys and prefixes may come from the state input', () => {
    const stack = newStack();
    const bucket = dataBucket(stack);
    const json = new FanOutMap(stack, 'Json', { items: ItemSource.s3Json(bucket, sfn.JsonPath.stringAt('$.key')), processor: FanOutProcessor.lambda(fn(stack)) });
    const objects = new FanOutMap(stack, 'Objects', { items: ItemSource.s3Objects(bucket, sfn.JsonPath.stringAt('$.prefix')), processor: FanOutProcessor.lambda(fn(stack, 'Fn2')) });
    const workflow = new Workflow(stack, 'W', { definition: json.next(objects) });
    const asl = aslOf(stack, workflow);
    expect(asl.States.Json.ItemReader.Parameters).toEqual({ 'Bucket': arnOf(bucket, 'Ref'), 'Key.$': '$.key' });
    expect(asl.States.Objects.ItemReader.Parameters).toEqual({ 'Bucket': arnOf(bucket, 'Ref'), 'Prefix.$': '$.prefix' });
    expect(statementsWith(stack, 's3:GetObject')).toContainEqual(expect.objectContaining({
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] }, '/*']] },
    }));
    expect(statementsWith(stack, 's3:ListBucket')).toEqual([
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] } },
    ]);
    expectNagClean(stack);
  });

  test('a JSON array in the input may be forced to a Distributed Map', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.jsonArray('$.records'), mode: FanOutMode.DISTRIBUTED, writeResults: false });
    const state = asl().States.Each;
    expect(state).toMatchObject({ ItemsPath: '$.records', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } }, End: true });
    expect(state.ResultWriter).toBeUndefined();
    expect(asl().States['Each: summary']).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
  });

  test('CSV with given headers and another delimiter', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.s3Csv(dataBucket(stack), 'rows.csv', { headers: sfn.CsvHeaders.use(['id', 'email']), delimiter: sfn.CsvDelimiter.SEMICOLON }) });
    expect(asl().States.Each.ItemReader.ReaderConfig).toEqual({ InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['id', 'email'], CSVDelimiter: 'SEMICOLON' });
  });

  test('batching, tolerated failures, concurrency, label, results bucket, prefix and format', () => {
    const stack = newStack();
    const results = new s3.Bucket(stack, 'Mine', { enforceSSL: true });
    const { map, asl } = fanOut(stack, {
      items: ItemSource.s3JsonLines(dataBucket(stack), 'events.jsonl'),
      batching: { maxItemsPerBatch: 50, maxInputBytesPerBatch: 65536, batchInput: sfn.TaskInput.fromObject({ 'runId.$': '$.runId' }) },
      toleratedFailure: ToleratedFailure.percentage(5),
      maxConcurrency: 200,
      label: 'events',
      resultBucket: results,
      resultPrefix: 'runs/events',
      resultWriterConfig: new sfn.WriterConfig({ outputType: sfn.OutputType.JSONL, transformation: sfn.Transformation.COMPACT }),
    });
    const state = asl().States.Each;
    expect(state).toMatchObject({
      ItemBatcher: { MaxItemsPerBatch: 50, MaxInputBytesPerBatch: 65536, BatchInput: { 'runId.$': '$.runId' } },
      ToleratedFailurePercentage: 5,
      MaxConcurrency: 200,
      Label: 'events',
      ResultWriter: { Parameters: { Bucket: arnOf(results, 'Ref'), Prefix: 'runs/events' }, WriterConfig: { OutputType: 'JSONL', Transformation: 'COMPACT' } },
      ItemProcessor: { StartAt: 'Each: each batch' },
    });
    expect(map.resultBucket).toBe(results);
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 3); // data, its access logs, the given results bucket
    expect(asl()).toBeValidAsl();
  });

  test.each([
    ['count', ToleratedFailure.count(10), { ToleratedFailureCount: 10 }],
    ['percentage at a path', ToleratedFailure.percentageAt('$.tolerance'), { ToleratedFailurePercentagePath: '$.tolerance' }],
    ['count at a path', ToleratedFailure.countAt('$.maxFailures'), { ToleratedFailureCountPath: '$.maxFailures' }],
  ])('tolerated failure: %s', (_name, toleratedFailure, expected) => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), toleratedFailure });
    expect(asl().States.Each).toMatchObject(expected);
    expect(toleratedFailure.toString()).toMatch(/items|at \$\./);
  });

  test('the default label keeps only the characters a label may have', () => {
    const stack = newStack();
    const { map, asl } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), stateName: 'Resize every image: a very long name, really' });
    expect(map.label).toBe('Resize-every-image--a-very-long-name--re');
    expect(asl().States['Resize every image: a very long name, really'].Label).toBe(map.label);
  });

  test('the created results bucket is private, encrypted, TLS only and retained', () => {
    const stack = newStack();
    const { map } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json') });
    const t = Template.fromStack(stack);
    const id = stack.getLogicalId(map.resultBucket!.node.defaultChild as s3.CfnBucket);
    expect(t.toJSON().Resources[id]).toMatchObject({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('a default distributed fan-out in a workflow is cdk-nag clean', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.s3Csv(dataBucket(stack), 'rows.csv', csv) });
    expect(asl()).toBeValidAsl();
    expectNagClean(stack);
  });

  test('snapshot of a distributed fan-out over a CSV file, batched, with KMS buckets', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    fanOut(stack, {
      items: ItemSource.s3Csv(dataBucket(stack, { encryptionKey: key }), 'rows.csv', csv),
      batching: { maxItemsPerBatch: 100 },
      toleratedFailure: ToleratedFailure.percentage(1),
    });
    expect(snapshotOf(stack)).toMatchSnapshot();
  });

  describe('child execution type', () => {
    function callbackProcessor(stack: Stack) {
      return FanOutProcessor.chain(new tasks.SnsPublish(stack, 'Ask', {
        topic: new sns.Topic(stack, 'T'),
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        message: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
      }));
    }

    test('a processor that waits for callbacks gets Standard children', () => {
      const stack = newStack();
      const { map, asl } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), processor: callbackProcessor(stack) });
      expect(map.childExecutionType).toBe(sfn.StateMachineType.STANDARD);
      expect(asl().States.Each.ItemProcessor.ProcessorConfig.ExecutionType).toBe('STANDARD');
    });

    test('Standard children on request', () => {
      const stack = newStack();
      const { asl } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), childExecutionType: sfn.StateMachineType.STANDARD });
      expect(asl().States.Each.ItemProcessor.ProcessorConfig.ExecutionType).toBe('STANDARD');
    });

    test('fails when Express children are forced on a processor that waits for callbacks', () => {
      const stack = newStack();
      expect(() => new FanOutMap(stack, 'Each', {
        items: ItemSource.s3Json(dataBucket(stack), 'items.json'),
        processor: callbackProcessor(stack),
        childExecutionType: sfn.StateMachineType.EXPRESS,
      })).toThrow("FanOutMap 'Each': state 'Ask' of the processor waits for a task token (.waitForTaskToken), which an Express child execution cannot do; leave childExecutionType out (STANDARD children are then used) or set it to sfn.StateMachineType.STANDARD");
    });
  });

  describe('local execution', () => {
    test('the whole state machine runs: rows read from the local S3, batched, each batch a child execution, results written', async () => {
      const stack = newStack();
      const data = dataBucket(stack);
      const processorFn = fn(stack, 'Import');
      const map = new FanOutMap(stack, 'Each', { items: ItemSource.s3Csv(data, 'rows.csv', csv), processor: FanOutProcessor.lambda(processorFn), batching: { maxItemsPerBatch: 2 } });
      const workflow = new Workflow(stack, 'W', { definition: map });
      const s3Local = new LocalS3();
      s3Local.putObject(arnOf(data, 'Ref'), 'rows.csv', 'id,email\n1,a@example.com\n2,b@example.com\n3,c@example.com\n');
      s3Local.createBucket(arnOf(map.resultBucket!, 'Ref'));
      const run = await runLocally(aslOf(stack, workflow), {
        s3: s3Local,
        resources: { [arnOf(processorFn)]: (batch: any) => ({ imported: batch.Items.map((i: any) => i.id) }) },
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.mapRuns[0].itemCounts).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
      expect(run.mapRuns[0].executionCounts).toMatchObject({ total: 2, succeeded: 2 });
      expect(run.output.ItemCounts).toEqual({ Succeeded: 3, Failed: 0, TimedOut: 0, Aborted: 0, Total: 3, ResultsWritten: 3 });
      expect(run.mapRuns[0].executions.map(e => e.output)).toEqual([{ imported: ['1', '2'] }, { imported: ['3'] }]);
      const keys = s3Local.keys(arnOf(map.resultBucket!, 'Ref'));
      expect(keys.some(k => k.endsWith('/manifest.json'))).toBe(true);
    });

    test('the item processor runs a batch as a child execution would', async () => {
      const stack = newStack();
      const processorFn = fn(stack, 'Import');
      const map = new FanOutMap(stack, 'Import rows', {
        items: ItemSource.s3Csv(dataBucket(stack), 'rows.csv', csv),
        processor: FanOutProcessor.lambda(processorFn),
        batching: { maxItemsPerBatch: 2, batchInput: sfn.TaskInput.fromObject({ 'runId.$': '$.runId' }) },
      });
      const workflow = new Workflow(stack, 'W', { definition: map });
      const child = itemProcessorOf(aslOf(stack, workflow), 'Import rows');
      expect(child.StartAt).toBe('Import rows: each batch');
      let calls = 0;
      const run = await runLocally(child, {
        input: { Items: [{ id: '1', email: 'a@example.com' }, { id: '2', email: 'b@example.com' }], BatchInput: { runId: 'r-1' } },
        resources: {
          [arnOf(processorFn)]: (batch: any) => {
            if (++calls === 1) throw new TaskFailure('Lambda.ServiceException', 'try again');
            return { runId: batch.BatchInput.runId, imported: batch.Items.map((i: any) => i.id) };
          },
        },
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.output).toEqual({ runId: 'r-1', imported: ['1', '2'] });
      expect(run.retries).toEqual([{ state: 'Import rows: each batch', error: 'Lambda.ServiceException', attempt: 1 }]);
      expect(run.path).toEqual(['Import rows: each batch']);
    });
  });
});

describe('FanOutMap grants', () => {
  test('read on the exact object, write under the results prefix, the map run counts, and the child executions of this state machine only', () => {
    const stack = newStack();
    const bucket = dataBucket(stack);
    const { map, workflow } = fanOut(stack, { items: ItemSource.s3Json(bucket, 'in/items.json') });
    const data = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    const results = stack.getLogicalId(map.resultBucket!.node.defaultChild as s3.CfnBucket);
    const machine = stack.getLogicalId(workflow.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const all = statements(stack);
    expect(all).toContainEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [data, 'Arn'] }, '/in/items.json']] } });
    expect(all).toContainEqual({
      Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [results, 'Arn'] }, '/fan-out/Each/*']] },
    });
    expect(all).toContainEqual({
      Action: 'states:DescribeMapRun',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':mapRun:*/Each:*']] },
    });
    expect(all).toContainEqual({ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine } });
    expect(all).toContainEqual(expect.objectContaining({
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: { 'Fn::Join': ['', expect.arrayContaining([':states:us-east-1:123456789012:execution:', { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: machine }] }] }, ':*'])] },
    }));
    // Nothing on S3 or Step Functions beyond that, and no KMS for unencrypted buckets.
    const s3Or = all.filter(s => [s.Action].flat().some((a: string) => /^(s3|states|kms):/.test(a)));
    expect(s3Or.map(s => [s.Action].flat().join(','))).toEqual([
      's3:GetObject',
      's3:PutObject,s3:GetObject,s3:ListMultipartUploadParts,s3:AbortMultipartUpload',
      'states:DescribeMapRun',
      'states:StartExecution',
      'states:DescribeExecution,states:StopExecution',
      'states:RedriveExecution',
    ]);
    expect(all.filter(s => s.Resource === '*').flatMap(s => [s.Action].flat()).filter((a: string) => /^(s3|states|kms):/.test(a))).toEqual([]);
  });

  test('kms:Decrypt on the key of an encrypted source; kms:GenerateDataKey and Decrypt on the key of an encrypted results bucket', () => {
    const stack = newStack();
    const sourceKey = new kms.Key(stack, 'SourceKey', { enableKeyRotation: true });
    const resultKey = new kms.Key(stack, 'ResultKey', { enableKeyRotation: true });
    fanOut(stack, {
      items: ItemSource.s3Csv(dataBucket(stack, { encryptionKey: sourceKey }), 'rows.csv', csv),
      resultBucket: dataBucket(stack, { encryptionKey: resultKey }, 'Results'),
    });
    const all = statements(stack);
    expect(all).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(sourceKey.node.defaultChild as kms.CfnKey), 'Arn'] } });
    expect(all).toContainEqual({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(resultKey.node.defaultChild as kms.CfnKey), 'Arn'] } });
    expectNagClean(stack);
  });

  test('listing objects is limited to the prefix', () => {
    const stack = newStack();
    fanOut(stack, { items: ItemSource.s3Objects(dataBucket(stack), 'incoming/') });
    expect(statementsWith(stack, 's3:ListBucket')).toEqual([{
      Action: 's3:ListBucket',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] },
      Condition: { StringLike: { 's3:prefix': 'incoming/*' } },
    }]);
  });

  test('an S3 Inventory manifest grants read on its configuration folder', () => {
    const stack = newStack();
    fanOut(stack, { items: ItemSource.s3Manifest(dataBucket(stack), 'inventory/src-bucket/daily/2024-05-01T01-00Z/manifest.json') });
    expect(statementsWith(stack, 's3:GetObject')[0].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] }, '/inventory/src-bucket/daily/*']] });
    expectNagClean(stack);
  });

  test('grantReadResults grants read on the results prefix', () => {
    const stack = newStack();
    const { map } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json') });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    map.grantReadResults(reader);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles[0].Ref.startsWith('Reader')) as any;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('/fan-out/Each/*');
  });

  test('fails when results are read from an inline map', () => {
    const stack = newStack();
    const { map } = fanOut(stack, { items: ItemSource.jsonArray() });
    expect(() => map.grantReadResults(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() })))
      .toThrow("FanOutMap 'Each': grantReadResults needs results written to S3 (this map is INLINE); its results are in the state output");
  });
});

describe('FanOutMap catches and retries', () => {
  test('addCatch applies to the map and its summary; addRetry to the map', () => {
    const stack = newStack();
    const map = new FanOutMap(stack, 'Each', { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), processor: FanOutProcessor.lambda(fn(stack)) })
      .addCatch(new sfn.Fail(stack, 'Fan-out failed'))
      .addRetry({ errors: ['States.ItemReaderFailed'], maxAttempts: 2 });
    const workflow = new Workflow(stack, 'W', { definition: map });
    const asl = aslOf(stack, workflow);
    expect(asl.States.Each.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Fan-out failed' }]);
    expect(asl.States['Each: summary'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Fan-out failed' }]);
    expect(asl.States.Each.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['States.ItemReaderFailed'], MaxAttempts: 2 })]);
    expect(asl).toBeValidAsl();
  });
});

describe('FanOutMap validation', () => {
  const json = () => ItemSource.jsonArray('$.items');

  function build(props: Partial<FanOutMapProps>) {
    const stack = newStack();
    return () => new FanOutMap(stack, 'Each', { items: json(), processor: FanOutProcessor.lambda(fn(stack)), ...props });
  }

  test('fails when the concurrency is out of range', () => {
    expect(build({ maxConcurrency: 41 })).toThrow("FanOutMap 'Each': maxConcurrency must be a whole number from 1 to 40 in INLINE mode (got 41); an inline Map runs at most 40 iterations at once, use mode: FanOutMode.DISTRIBUTED for more");
    expect(build({ maxConcurrency: 0, mode: FanOutMode.DISTRIBUTED })).toThrow("FanOutMap 'Each': maxConcurrency must be a whole number from 1 to 10000 in DISTRIBUTED mode (got 0)");
    expect(build({ maxConcurrency: 10_001, mode: FanOutMode.DISTRIBUTED })).toThrow('from 1 to 10000 in DISTRIBUTED mode (got 10001)');
    expect(build({ maxConcurrency: 2.5 })).toThrow('(got 2.5)');
  });

  test('fails when batching is asked of an inline map', () => {
    expect(build({ batching: { maxItemsPerBatch: 10 } })).toThrow("FanOutMap 'Each': batching applies to a Distributed Map only, and this one is inline (items from a JSON array in the state input); remove batching, or set mode: FanOutMode.DISTRIBUTED");
  });

  test('fails when other distributed options are set on an inline map', () => {
    expect(build({ toleratedFailure: ToleratedFailure.count(3) })).toThrow("FanOutMap 'Each': toleratedFailure (3 items) applies to a Distributed Map only, and this one is inline (items from a JSON array in the state input); catch the errors of the items instead (catchErrors), or set mode: FanOutMode.DISTRIBUTED");
    expect(build({ writeResults: true })).toThrow("FanOutMap 'Each': writing results to S3 applies to a Distributed Map only");
    expect(build({ childExecutionType: sfn.StateMachineType.EXPRESS })).toThrow("FanOutMap 'Each': childExecutionType applies to a Distributed Map only");
    expect(build({ label: 'x' })).toThrow("FanOutMap 'Each': label applies to a Distributed Map only");
  });

  test('fails when an S3 source is forced inline', () => {
    const stack = newStack();
    expect(() => new FanOutMap(stack, 'Each', { items: ItemSource.s3Csv(dataBucket(stack), 'rows.csv', csv), processor: FanOutProcessor.lambda(fn(stack)), mode: FanOutMode.INLINE }))
      .toThrow("FanOutMap 'Each': a CSV file in S3 is read by a Distributed Map only (got mode INLINE); leave mode out or use FanOutMode.DISTRIBUTED");
  });

  test('fails when batching is out of range', () => {
    const distributed = { mode: FanOutMode.DISTRIBUTED };
    expect(build({ ...distributed, batching: {} })).toThrow("FanOutMap 'Each': batching needs maxItemsPerBatch, maxInputBytesPerBatch or both");
    expect(build({ ...distributed, batching: { maxItemsPerBatch: 0 } })).toThrow("FanOutMap 'Each': maxItemsPerBatch must be a whole number, at least 1 (got 0)");
    expect(build({ ...distributed, batching: { maxInputBytesPerBatch: 300_000 } })).toThrow("FanOutMap 'Each': maxInputBytesPerBatch must be a whole number from 1 to 262144 (256 KiB, the payload limit) (got 300000)");
    expect(build({ ...distributed, batching: { maxItemsPerBatch: 5, batchInput: sfn.TaskInput.fromText('x') } })).toThrow("FanOutMap 'Each': batching.batchInput must be an object (sfn.TaskInput.fromObject), got TEXT");
  });

  test('a batch of exactly 256 KiB and a tolerance of 0% are accepted: the limits', () => {
    const stack = newStack();
    const map = new FanOutMap(stack, 'Each', {
      items: json(),
      processor: FanOutProcessor.lambda(fn(stack)),
      mode: FanOutMode.DISTRIBUTED,
      batching: { maxInputBytesPerBatch: 262_144 },
      toleratedFailure: ToleratedFailure.percentage(0),
    });
    const asl = aslOf(stack, new Workflow(stack, 'W', { definition: map }));
    expect(asl).toBeValidAsl();
    expect(asl.States.Each.ItemBatcher).toEqual({ MaxInputBytesPerBatch: 262_144 });
    // 0% tolerates no failed item: the same as no tolerance, which CDK leaves out of the ASL.
    expect(asl.States.Each.ToleratedFailurePercentage).toBeUndefined();
    expect(map.itemsPerChildExecution).toBeUndefined();
    expect(build({ mode: FanOutMode.DISTRIBUTED, batching: { maxInputBytesPerBatch: 262_145 } })).toThrow('maxInputBytesPerBatch must be a whole number from 1 to 262144');
  });

  test('fails when a state name derived from the state name would pass 80 characters', () => {
    expect(build({ stateName: 'S'.repeat(62) })()).toBeInstanceOf(FanOutMap);
    expect(build({ stateName: 'S'.repeat(62), mode: FanOutMode.DISTRIBUTED })()).toBeInstanceOf(FanOutMap);
    // '<name>: each item failed' records an item's failure (the processor's own Pass state).
    expect(build({ stateName: 'S'.repeat(63) })).toThrow(`FanOutMap 'Each': the state name '${'S'.repeat(63)}: each item failed' is 81 characters, over the 80 Step Functions allows; give a stateName of at most 62 characters (got 63)`);
    // A distributed map's child records each item's outcome: '<name>: any item failed?' is as long.
    expect(build({ stateName: 'S'.repeat(66), mode: FanOutMode.DISTRIBUTED })).toThrow(/^FanOutMap 'Each': the state name 'S{66}: (each item failed|any item failed\?)' is 84 characters, over the 80 Step Functions allows; give a stateName of at most 62 characters \(got 66\)$/);
  });

  test('fails when an object prop is written in the other query language, or resultPath is not a JSON path: one message naming the map, the prop and the key', () => {
    const stack = newStack();
    const jsonata = { queryLanguage: sfn.QueryLanguage.JSONATA };
    const items = ItemSource.jsonArray('$.lines');
    expect(() => new FanOutMap(stack, 'A', { items, processor: FanOutProcessor.lambda(fn(stack, 'F1')), itemSelector: sfn.TaskInput.fromObject({ order: '{% $states.context.Map.Item.Value %}' }) }))
      .toThrow("FanOutMap 'A': itemSelector holds a JSONata expression at 'order' (got '{% $states.context.Map.Item.Value %}'), and it is JSONPath; write a JSON path (sfn.JsonPath.stringAt('$.order')), or give queryLanguage: sfn.QueryLanguage.JSONATA");
    expect(() => new FanOutMap(stack, 'B', { items, processor: FanOutProcessor.lambda(fn(stack, 'F2')), itemSelector: sfn.TaskInput.fromObject({ 'order.$': '$$.Map.Item.Value' }), ...jsonata }))
      .toThrow("FanOutMap 'B': itemSelector holds the JSONPath field 'order.$', and it is JSONata, where it would pass as a literal; write 'order': '{% ... %}'");
    expect(() => new FanOutMap(stack, 'C', {
      items, processor: FanOutProcessor.lambda(fn(stack, 'F3')), batching: { maxItemsPerBatch: 10, batchInput: sfn.TaskInput.fromObject({ run: sfn.JsonPath.stringAt('$.run') }) }, ...jsonata,
    })).toThrow("FanOutMap 'C': batching.batchInput holds a JSON path at 'run' (sfn.JsonPath), and it is JSONata; write a JSONata expression such as '{% $states.input.order %}'");
    expect(() => new FanOutMap(stack, 'D', { items, processor: FanOutProcessor.lambda(fn(stack, 'F4'), { payload: sfn.TaskInput.fromObject({ line: { id: '{% $states.input.id %}' } }) }) }))
      .toThrow("FanOutMap 'D': the processor's payload holds a JSONata expression at 'line.id'");
    expect(() => new FanOutMap(stack, 'E', { items, processor: FanOutProcessor.lambda(fn(stack, 'F5')), resultPath: 'assessments' }))
      .toThrow("FanOutMap 'E': resultPath must be a JSON path such as '$.results' (got 'assessments')");
  });

  test('fails when values are written in the other query language, or a tolerance is read at run time in JSONata', () => {
    const stack = newStack();
    const jsonata = { queryLanguage: sfn.QueryLanguage.JSONATA };
    expect(() => new FanOutMap(stack, 'A', { items: ItemSource.s3Json(dataBucket(stack, {}, 'D1'), sfn.JsonPath.stringAt('$.key')), processor: FanOutProcessor.lambda(fn(stack, 'F1')), ...jsonata }))
      .toThrow("FanOutMap 'A': the object key or prefix is a JSON path (got '$.key'), and the map is JSONata; give a JSONata expression such as '{% $states.input.key %}'");
    expect(() => new FanOutMap(stack, 'B', { items: ItemSource.jsonArray('{% $states.input.items %}'), processor: FanOutProcessor.lambda(fn(stack, 'F2')) }))
      .toThrow("FanOutMap 'B': the items path is a JSONata expression (got '{% $states.input.items %}'), and the map is JSONPath; give queryLanguage: sfn.QueryLanguage.JSONATA, or a JSON path");
    expect(() => new FanOutMap(stack, 'C', { items: json(), mode: FanOutMode.DISTRIBUTED, toleratedFailure: ToleratedFailure.countAt('$.max'), processor: FanOutProcessor.lambda(fn(stack, 'F3')), ...jsonata }))
      .toThrow("FanOutMap 'C': the tolerated failure read at $.max is a JSON path, which a JSONata map has no field for; give a fixed ToleratedFailure.percentage() or count()");
  });

  test('fails when a JSONPath map is in a JSONata workflow, naming the state and the fix; a JSONata map reads a JSONata items expression', async () => {
    const stack = newStack();
    const map = new FanOutMap(stack, 'Each', { items: json(), processor: FanOutProcessor.lambda(fn(stack)) });
    expect(() => new Workflow(stack, 'W', { definition: map, queryLanguage: sfn.QueryLanguage.JSONATA }))
      .toThrow(/^Workflow 'W': FanOutMap 'Each' is JSONPath \(its states 'Each'[^)]*\), and in a JSONata workflow every state must be JSONata; give the FanOutMap queryLanguage: sfn\.QueryLanguage\.JSONATA/);
    const ok = newStack();
    const processorFn = fn(ok);
    const jsonataMap = new FanOutMap(ok, 'Each', {
      items: ItemSource.jsonArray('{% $states.input.orders[total > 10][] %}'),
      processor: FanOutProcessor.lambda(processorFn),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      resultPath: '$.large',
    });
    const asl = aslOf(ok, new Workflow(ok, 'W', { definition: jsonataMap }));
    expect(asl.States.Each).toMatchObject({ QueryLanguage: 'JSONata', Items: '{% $states.input.orders[total > 10][] %}', Output: '{% $merge([$states.input, {"large": $states.result}]) %}' });
    const run = await runLocally(asl, {
      input: { orders: [{ total: 5 }, { total: 50 }] },
      resources: { [arnOf(processorFn)]: (o: any) => o.total * 2 },
    });
    expect([run.status, run.error, run.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    expect(run.output).toEqual({ orders: [{ total: 5 }, { total: 50 }], large: [100] });
  });

  test('fails when the tolerated failure is out of range', () => {
    const distributed = { mode: FanOutMode.DISTRIBUTED };
    expect(build({ ...distributed, toleratedFailure: ToleratedFailure.percentage(120) })).toThrow("FanOutMap 'Each': the tolerated failure percentage must be from 0 to 100 (got 120)");
    expect(build({ ...distributed, toleratedFailure: ToleratedFailure.count(-1) })).toThrow("FanOutMap 'Each': the tolerated failure count must be a whole number, 0 or more (got -1)");
    expect(build({ ...distributed, toleratedFailure: ToleratedFailure.countAt('maxFailures') })).toThrow("FanOutMap 'Each': the tolerated failure count path must be a JSON path starting with '$' (got 'maxFailures')");
  });

  test('fails when a CSV source has no headers', () => {
    const make = (headers: sfn.CsvHeaders) => () => {
      const stack = newStack();
      return new FanOutMap(stack, 'Each', { items: ItemSource.s3Csv(dataBucket(stack), 'rows.csv', { headers }), processor: FanOutProcessor.lambda(fn(stack)) });
    };
    expect(make(sfn.CsvHeaders.use([]))).toThrow("FanOutMap 'Each': a CSV source given no column names (got sfn.CsvHeaders.use([])); list the columns, or use sfn.CsvHeaders.useFirstRow() if the file has a header row");
    expect(make(sfn.CsvHeaders.use(['id', ' ']))).toThrow("FanOutMap 'Each': CSV column names must not be blank (got [\"id\",\" \"])");
    expect(make(sfn.CsvHeaders.use(['id', 'id']))).toThrow("FanOutMap 'Each': CSV column names must be unique (got \"id\" twice)");
    expect(make(undefined as unknown as sfn.CsvHeaders)).toThrow("FanOutMap 'Each': a CSV source needs headers: sfn.CsvHeaders.useFirstRow() or sfn.CsvHeaders.use([...column names])");
  });

  test('fails when the processor is empty', () => {
    const stack = newStack();
    expect(() => new FanOutMap(stack, 'Each', { items: json(), processor: FanOutProcessor.chain(new sfn.Pass(stack, 'Nothing').next(new sfn.Succeed(stack, 'Done'))) }))
      .toThrow("FanOutMap 'Each': the processor does no work (its states: 'Nothing' (Pass), 'Done' (Succeed)); add a Task, Map or Parallel state to it, or use FanOutProcessor.lambda");
    expect(() => FanOutProcessor.chain(undefined as unknown as sfn.IChainable))
      .toThrow('FanOutProcessor.chain: definition is required (got undefined); give the first state (or chain) that processes each item');
  });

  test('fails when a source is malformed', () => {
    expect(build({ items: ItemSource.jsonArray('items') })).toThrow("FanOutMap 'Each': the items path must be a JSON path starting with '$', or a JSONata expression '{% ... %}' (got 'items')");
    const stack = newStack();
    expect(() => new FanOutMap(stack, 'Each', { items: ItemSource.s3Json(dataBucket(stack), ' ', { maxItems: 0 }), processor: FanOutProcessor.lambda(fn(stack)) }))
      .toThrow("FanOutMap 'Each': the object key of a JSON file in S3 must not be empty; give the key, or a JSON path to it; maxItems must be a whole number from 1 to 100000000 (got 0)");
  });

  test('fails when the label is not a valid label', () => {
    expect(build({ mode: FanOutMode.DISTRIBUTED, label: 'has space' })).toThrow("FanOutMap 'Each': label must be 1 to 40 letters, digits, '-' or '_' (got 'has space')");
  });

  test('fails when result options are set but results are not written', () => {
    const stack = newStack();
    expect(() => new FanOutMap(stack, 'Each', { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), processor: FanOutProcessor.lambda(fn(stack)), writeResults: false, resultPrefix: 'x' }))
      .toThrow("FanOutMap 'Each': result options are set but writeResults is false; remove them or write the results");
  });

  test('fails when the item selector is not an object', () => {
    expect(build({ itemSelector: sfn.TaskInput.fromText('x') })).toThrow("FanOutMap 'Each': itemSelector must be an object (sfn.TaskInput.fromObject), got TEXT");
  });
});

describe('FanOutMap groups items into Express child executions by default', () => {
  const s3Source = (stack: Stack) => ItemSource.s3JsonLines(dataBucket(stack), 'rows.jsonl');

  test('each child runs its items through the processor in an inline Map, 10 at a time, recording each outcome, and fails after them if one failed', () => {
    const stack = newStack();
    const { map, asl } = fanOut(stack, { items: s3Source(stack) });
    const child = itemProcessorOf(asl(), 'Each');
    expect(child.StartAt).toBe('Each: items');
    expect(child.States['Each: items']).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.Items',
      MaxConcurrency: 10,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Each: item outcome' },
      ResultSelector: { 'Results.$': '$', 'Failed.$': "$[?(@.Status == 'FAILED')]" },
      Next: 'Each: any item failed?',
    });
    const item = child.States['Each: items'].ItemProcessor.States;
    expect(item['Each: item outcome']).toMatchObject({
      Type: 'Parallel',
      ResultSelector: { 'Status': 'SUCCEEDED', 'Output.$': '$[0]' },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Each: item error' }],
      End: true,
    });
    // The processor is the user's, unchanged: it receives one item.
    expect(item['Each: item outcome'].Branches[0].States['Each: each item']).toMatchObject({ Type: 'Task', Resource: arnOf(stack.node.findChild('Fn')) });
    expect(item['Each: item error']).toEqual({
      Type: 'Pass', QueryLanguage: 'JSONPath', Comment: 'Records the error of an item; the other items go on', Parameters: { 'Status': 'FAILED', 'Failure.$': '$' }, End: true,
    });
    expect(child.States['Each: any item failed?']).toEqual({
      Type: 'Choice', QueryLanguage: 'JSONPath', Choices: [{ Variable: '$.Failed[0]', IsPresent: true, Next: 'Each: items failed' }], Default: 'Each: items done',
    });
    expect(child.States['Each: items failed']).toMatchObject({ Type: 'Fail', Error: 'FanOutMap.ItemsFailed', CausePath: 'States.JsonToString($.Results)' });
    expect(child.States['Each: items done']).toMatchObject({ Type: 'Succeed', OutputPath: '$.Results' });
    expect(map.itemsPerChildExecution).toBe(FanOutMap.DEFAULT_ITEMS_PER_CHILD_EXECUTION);
    expect(asl()).toBeValidAsl();
    expectNagClean(stack);
  });

  test('maxConcurrency still counts items: children at a time x items at a time in each', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: s3Source(stack), maxConcurrency: 25, itemsPerChildExecution: 4 });
    const state = asl().States.Each;
    expect(state.ItemBatcher).toEqual({ MaxItemsPerBatch: 4, MaxInputBytesPerBatch: 262144 });
    expect(state.ItemProcessor.States['Each: items'].MaxConcurrency).toBe(4);
    expect(state.MaxConcurrency).toBe(7); // 7 children x 4 items >= 25
  });

  test('itemsPerChildExecution: 1, Standard children and explicit batching run the processor as the child itself', () => {
    const stack = newStack();
    const items = s3Source(stack);
    const one = new FanOutMap(stack, 'One', { items, processor: FanOutProcessor.lambda(fn(stack)), itemsPerChildExecution: 1 });
    const standard = new FanOutMap(stack, 'Standard', { items, processor: FanOutProcessor.lambda(fn(stack, 'Fn2')), childExecutionType: sfn.StateMachineType.STANDARD });
    const batched = new FanOutMap(stack, 'Batched', { items, processor: FanOutProcessor.lambda(fn(stack, 'Fn3')), batching: { maxItemsPerBatch: 50 } });
    const asl = aslOf(stack, new Workflow(stack, 'W', { definition: one.next(standard).next(batched) }));
    expect(asl.States.One).toMatchObject({ MaxConcurrency: 1000, ItemProcessor: { StartAt: 'One: each item' } });
    expect(asl.States.One.ItemBatcher).toBeUndefined();
    expect(asl.States.Standard).toMatchObject({ MaxConcurrency: 1000, ItemProcessor: { StartAt: 'Standard: each item', ProcessorConfig: { ExecutionType: 'STANDARD' } } });
    expect(asl.States.Standard.ItemBatcher).toBeUndefined();
    expect(asl.States.Batched).toMatchObject({ MaxConcurrency: 1000, ItemBatcher: { MaxItemsPerBatch: 50 }, ItemProcessor: { StartAt: 'Batched: each batch' } });
    expect([one.itemsPerChildExecution, standard.itemsPerChildExecution, batched.itemsPerChildExecution]).toEqual([1, 1, undefined]);
  });

  test('a partial tolerance runs one item per child, with a warning that says why and what it costs', () => {
    const stack = newStack();
    const { map, asl } = fanOut(stack, { items: s3Source(stack), toleratedFailure: ToleratedFailure.count(5) });
    expect(map.itemsPerChildExecution).toBe(1);
    expect(asl().States.Each.ItemBatcher).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/Test/Each', Match.stringLikeRegexp(
      "^FanOutMap 'Each': toleratedFailure \\(5 items\\) counts failed items, and a Distributed Map counts every item of a failed child execution as failed, so each item runs in its own child execution, which costs Step Functions about 100 times more than the default of 100 items a child; set itemsPerChildExecution \\(100, say\\) to accept that a failed item counts its whole child against the tolerance, or leave toleratedFailure out.*"));
    // None, 0 and 100% leave nothing to count per item: the items stay grouped.
    const nothingToCount = [ToleratedFailure.none(), ToleratedFailure.count(0), ToleratedFailure.percentage(0), ToleratedFailure.percentage(100)];
    for (const [i, t] of nothingToCount.entries()) {
      const s = newStack();
      expect(fanOut(s, { items: s3Source(s), toleratedFailure: t }, `E${i}`).map.itemsPerChildExecution).toBe(100);
      expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([]);
    }
    const atPath = newStack();
    expect(fanOut(atPath, { items: s3Source(atPath), toleratedFailure: ToleratedFailure.percentageAt('$.tolerance') }).map.itemsPerChildExecution).toBe(1);
  });

  test('fails when itemsPerChildExecution is not a whole number, is set with batching, or on an inline map', () => {
    const stack = newStack();
    const items = s3Source(stack);
    const make = (id: string, props: Partial<FanOutMapProps>) => () => new FanOutMap(stack, id, { items, processor: FanOutProcessor.lambda(fn(stack, `F${id}`)), ...props });
    expect(make('A', { itemsPerChildExecution: 0 })).toThrow("FanOutMap 'A': itemsPerChildExecution must be a whole number, at least 1 (got 0)");
    expect(make('B', { itemsPerChildExecution: 2.5 })).toThrow("FanOutMap 'B': itemsPerChildExecution must be a whole number, at least 1 (got 2.5)");
    expect(make('C', { itemsPerChildExecution: 10, batching: { maxItemsPerBatch: 10 } })).toThrow(
      "FanOutMap 'C': batching and itemsPerChildExecution (10) exclude each other: batching hands the processor a whole batch, itemsPerChildExecution groups items that the processor still takes one by one; keep one of them");
    expect(make('D', { items: ItemSource.jsonArray(), itemsPerChildExecution: 10 })).toThrow(
      "FanOutMap 'D': itemsPerChildExecution applies to a Distributed Map only, and this one is inline (items from a JSON array in the state input); remove it, or set mode: FanOutMode.DISTRIBUTED");
  });

  test('fails at synth when a Distributed Map is put in an Express workflow, naming the state and the fix', () => {
    const stack = newStack();
    const map = new FanOutMap(stack, 'Import rows', { items: s3Source(stack), processor: FanOutProcessor.lambda(fn(stack)) });
    new Workflow(stack, 'W', { definition: map, type: WorkflowType.expressAsync() });
    expect(synthErrors(stack)).toContain(
      "Workflow 'W': state 'Import rows' (in the workflow) is a Distributed Map (a FanOutMap over S3 or in DISTRIBUTED mode), which Step Functions runs in Standard workflows only; "
      + 'use WorkflowType.standard() (its child executions stay Express, and the parent pays one state transition per child execution), or use an inline Map (FanOutMode.INLINE) for a JSON array in the input');
  });

  test('an inline FanOutMap in an Express workflow is accepted', () => {
    const stack = newStack();
    const map = new FanOutMap(stack, 'Each', { items: ItemSource.jsonArray('$.rows'), processor: FanOutProcessor.lambda(fn(stack)) });
    new Workflow(stack, 'W', { definition: map, type: WorkflowType.expressAsync() });
    expect(synthErrors(stack)).toBe('');
  });

  test('snapshot of a default distributed fan-out over a JSON Lines file', () => {
    const stack = newStack();
    fanOut(stack, { items: s3Source(stack) });
    expect(snapshotOf(stack)).toMatchSnapshot();
  });
});

describe('FanOutMap end to end on the local engine, over every item source, results read back from the local S3', () => {
  const ROWS = ['1', '2', '3', '4', '5'];
  interface SourceCase {
    readonly name: string;
    /** The source, with a key read at run time written in the map's language. */
    readonly source: (data: s3.IBucket, jsonata: boolean) => ItemSource;
    readonly mode?: FanOutMode;
    /** Puts the rows where the source reads them; returns the execution input. */
    readonly load: (s3Local: LocalS3, bucket: string) => object;
    /** The item the processor receives for a row. */
    readonly item: (id: string) => unknown;
  }
  const listed = (key: string) => expect.objectContaining({ Key: key, Size: 1, StorageClass: 'STANDARD' });
  const SOURCES: SourceCase[] = [
    {
      name: 'a JSON array in the input, forced distributed',
      source: () => ItemSource.jsonArray('$.rows'),
      mode: FanOutMode.DISTRIBUTED,
      load: () => ({ rows: ROWS.map(id => ({ id })) }),
      item: id => ({ id }),
    },
    {
      name: 'S3 objects (listObjectsV2)',
      source: b => ItemSource.s3Objects(b, 'in/'),
      load: (s, b) => {
        for (const id of ROWS) s.putObject(b, `in/${id}`, 'x');
        s.putObject(b, 'other/9', 'x');
        return {};
      },
      item: id => listed(`in/${id}`),
    },
    {
      name: 'a JSON file in S3',
      source: (b, jsonata) => ItemSource.s3Json(b, jsonata ? '{% $states.input.key %}' : sfn.JsonPath.stringAt('$.key')),
      load: (s, b) => {
        s.putObject(b, 'rows.json', JSON.stringify(ROWS.map(id => ({ id }))));
        return { key: 'rows.json' };
      },
      item: id => ({ id }),
    },
    {
      name: 'a JSON Lines file in S3',
      source: b => ItemSource.s3JsonLines(b, 'rows.jsonl'),
      load: (s, b) => {
        s.putObject(b, 'rows.jsonl', ROWS.map(id => JSON.stringify({ id })).join('\n') + '\n');
        return {};
      },
      item: id => ({ id }),
    },
    {
      name: 'a CSV file in S3',
      source: b => ItemSource.s3Csv(b, 'rows.csv', csv),
      load: (s, b) => {
        s.putObject(b, 'rows.csv', `id,email\n${ROWS.map(id => `${id},${id}@example.com`).join('\n')}\n`);
        return {};
      },
      item: id => ({ id, email: `${id}@example.com` }),
    },
    {
      name: 'an S3 Inventory manifest',
      source: b => ItemSource.s3Manifest(b, 'inv/src/daily/2024-05-01T01-00Z/manifest.json'),
      load: (s, b) => {
        s.putObject(b, 'inv/src/daily/data/part-1.csv', ROWS.slice(0, 3).map(id => `src,${id},1`).join('\n') + '\n');
        s.putObject(b, 'inv/src/daily/data/part-2.csv', ROWS.slice(3).map(id => `src,${id},1`).join('\n') + '\n');
        s.putObject(b, 'inv/src/daily/2024-05-01T01-00Z/manifest.json', JSON.stringify({
          sourceBucket: 'src',
          destinationBucket: b,
          fileFormat: 'CSV',
          fileSchema: 'Bucket, Key, Size',
          files: [{ key: 'inv/src/daily/data/part-1.csv' }, { key: 'inv/src/daily/data/part-2.csv' }],
        }));
        return {};
      },
      item: id => ({ Bucket: 'src', Key: id, Size: '1' }),
    },
  ];

  /** The row id of an item, whatever the source made of it. */
  const idOf = (item: any): string => String(item.id ?? item.Key).replace(/^in\//, '');

  async function runIn(source: SourceCase, props: Partial<FanOutMapProps>, failing: string[], queryLanguage = sfn.QueryLanguage.JSON_PATH) {
    const stack = newStack();
    const data = dataBucket(stack);
    const processorFn = fn(stack, 'Import');
    const map = new FanOutMap(stack, 'Import rows', {
      items: source.source(data, queryLanguage === sfn.QueryLanguage.JSONATA),
      mode: source.mode,
      processor: FanOutProcessor.lambda(processorFn),
      queryLanguage,
      ...props,
    });
    const workflow = new Workflow(stack, 'W', { definition: map, queryLanguage });
    const asl = aslOf(stack, workflow);
    expect(asl).toBeValidAsl();
    expect(asl.QueryLanguage).toBe(queryLanguage === sfn.QueryLanguage.JSONATA ? 'JSONata' : 'JSONPath');
    const s3Local = new LocalS3();
    const input = source.load(s3Local, arnOf(data, 'Ref'));
    const results = arnOf(map.resultBucket!, 'Ref');
    s3Local.createBucket(results);
    const received: unknown[] = [];
    const execution = await runLocally(asl, {
      input,
      s3: s3Local,
      resources: {
        [arnOf(processorFn)]: (event: any) => {
          received.push(event);
          const ids: string[] = event.Items ? event.Items.map(idOf) : [idOf(event)];
          const bad = ids.filter(id => failing.includes(id));
          if (bad.length > 0) throw new TaskFailure('BadRow', `row ${bad.join(', ')} is not valid`);
          return event.Items ? { imported: ids } : { imported: ids[0] };
        },
      },
    });
    const manifestKey = s3Local.keys(results).find(k => k.endsWith('/manifest.json'))!;
    const manifest = JSON.parse(s3Local.getText(results, manifestKey)!);
    const file = (status: string) => (manifest.ResultFiles[status] as Array<{ Key: string }>)
      .flatMap(f => JSON.parse(s3Local.getText(results, f.Key)!) as any[])
      .map(e => ({
        Status: e.Status,
        Input: JSON.parse(e.Input),
        ...(e.Output !== undefined ? { Output: JSON.parse(e.Output) } : {}),
        ...(e.Error !== undefined ? { Error: e.Error, Cause: e.Cause } : {}),
      }));
    const mapRun = execution.mapRuns[0];
    return { execution, mapRun, manifestKey, manifest, succeeded: file('SUCCEEDED'), failed: file('FAILED'), received, results, s3Local };
  }

  const outcome = (id: string, failing: string[] = []) => (failing.includes(id)
    ? { Status: 'FAILED', Failure: { Error: 'BadRow', Cause: `row ${id} is not valid` } }
    : { Status: 'SUCCEEDED', Output: { imported: id } });

  const LANGUAGES = [['JSONPath', sfn.QueryLanguage.JSON_PATH], ['JSONata', sfn.QueryLanguage.JSONATA]] as const;
  const CASES = SOURCES.flatMap(s => LANGUAGES.map(([name, language]) => [`${s.name}, ${name}`, s, language] as const));
  describe.each(CASES)('%s', (_name, source, language) => {
    const run = (src: SourceCase, props: Partial<FanOutMapProps>, failing: string[]) => runIn(src, props, failing, language);
    test('default: one child execution runs every item through the processor (10 at a time), each receiving one item; every outcome written', async () => {
      const r = await run(source, {}, []);
      expect([r.execution.status, r.execution.error]).toEqual(['SUCCEEDED', undefined]);
      expect(r.received).toEqual(ROWS.map(source.item)); // the processor receives one item, as before
      expect(r.execution.output.ItemCounts).toEqual({ Succeeded: 5, Failed: 0, TimedOut: 0, Aborted: 0, Total: 5, ResultsWritten: 5 });
      expect(r.mapRun.executionCounts).toMatchObject({ total: 1, succeeded: 1 });
      expect(r.execution.output.ResultWriterDetails).toEqual({ Bucket: r.results, Key: r.manifestKey });
      expect(r.manifestKey).toMatch(/^fan-out\/Import-rows\/[0-9a-f-]{36}\/manifest\.json$/);
      expect(r.failed).toEqual([]);
      expect(r.succeeded).toEqual([{ Status: 'SUCCEEDED', Input: { Items: ROWS.map(source.item) }, Output: ROWS.map(id => outcome(id)) }]);
      expect(r.execution.path).toEqual(['Import rows', 'Import rows: summary']);
      const childPath = r.mapRun.executions[0].states.map(s => s.name);
      expect(childPath[0]).toBe('Import rows: items');
      expect(childPath.slice(-2)).toEqual(['Import rows: any item failed?', 'Import rows: items done']);
      expect(childPath.filter(n => n === 'Import rows: item outcome')).toHaveLength(5);
      expect(childPath.filter(n => n === 'Import rows: each item')).toHaveLength(5);
      expect(childPath).toHaveLength(13);
    });

    test('default, intolerable failure: the other items of the child still run, the child fails listing each outcome, the map run fails', async () => {
      const r = await run(source, {}, ['3']);
      expect([r.execution.status, r.execution.error]).toEqual(['FAILED', 'States.ExceedToleratedFailureThreshold']);
      expect(r.received).toHaveLength(5);
      expect(r.mapRun.itemCounts).toMatchObject({ total: 5, succeeded: 0, failed: 5 });
      expect(r.succeeded).toEqual([]);
      expect(r.failed).toEqual([{ Status: 'FAILED', Input: { Items: ROWS.map(source.item) }, Error: 'FanOutMap.ItemsFailed', Cause: JSON.stringify(ROWS.map(id => outcome(id, ['3']))) }]);
      expect(r.execution.path).toEqual(['Import rows']);
    });

    test('default with a tolerated count: one item per child, so the counts and the tolerance are exact', async () => {
      const r = await run(source, { toleratedFailure: ToleratedFailure.count(1) }, ['3']);
      expect([r.execution.status, r.execution.error]).toEqual(['SUCCEEDED', undefined]);
      expect(r.execution.output.ItemCounts).toEqual({ Succeeded: 4, Failed: 1, TimedOut: 0, Aborted: 0, Total: 5, ResultsWritten: 5 });
      expect(r.mapRun.executionCounts).toMatchObject({ total: 5, failed: 1 });
      expect(r.succeeded.map(e => e.Output)).toEqual(['1', '2', '4', '5'].map(id => ({ imported: id })));
      expect(r.failed).toEqual([{ Status: 'FAILED', Input: source.item('3'), Error: 'BadRow', Cause: 'row 3 is not valid' }]);
      const twice = await run(source, { toleratedFailure: ToleratedFailure.count(1) }, ['2', '4']);
      expect([twice.execution.status, twice.execution.error]).toEqual(['FAILED', 'States.ExceedToleratedFailureThreshold']);
      expect(twice.failed.map(e => idOf(e.Input))).toEqual(['2', '4']);
    });

    test('explicit batching: the processor receives each batch; a failed batch counts its items against the tolerance', async () => {
      const tolerated = await run(source, { batching: { maxItemsPerBatch: 2 }, toleratedFailure: ToleratedFailure.percentage(40) }, ['3']);
      expect([tolerated.execution.status, tolerated.execution.error]).toEqual(['SUCCEEDED', undefined]);
      expect(tolerated.received).toEqual([[0, 1], [2, 3], [4]].map(batch => ({ Items: batch.map(i => source.item(ROWS[i])) })));
      expect(tolerated.execution.output.ItemCounts).toEqual({ Succeeded: 3, Failed: 2, TimedOut: 0, Aborted: 0, Total: 5, ResultsWritten: 5 });
      expect(tolerated.succeeded.map(e => e.Output)).toEqual([{ imported: ['1', '2'] }, { imported: ['5'] }]);
      expect(tolerated.failed).toEqual([{ Status: 'FAILED', Input: { Items: [source.item('3'), source.item('4')] }, Error: 'BadRow', Cause: 'row 3 is not valid' }]);
      const intolerable = await run(source, { batching: { maxItemsPerBatch: 2 } }, ['3']);
      expect([intolerable.execution.status, intolerable.execution.error]).toEqual(['FAILED', 'States.ExceedToleratedFailureThreshold']);
      expect(intolerable.failed[0]).toMatchObject({ Status: 'FAILED', Error: 'BadRow' });
    });
  });

  test('default with every failure tolerated: the items stay grouped, and the counts are by child: Failed counts every item of a child in which one item failed', async () => {
    const r = await runIn(SOURCES[3], { toleratedFailure: ToleratedFailure.percentage(100), itemsPerChildExecution: 2 }, ['3']);
    expect([r.execution.status, r.execution.error]).toEqual(['SUCCEEDED', undefined]);
    expect(r.execution.output.ItemCounts).toEqual({ Succeeded: 3, Failed: 2, TimedOut: 0, Aborted: 0, Total: 5, ResultsWritten: 5 });
    expect(r.succeeded.map(e => e.Output)).toEqual([[outcome('1'), outcome('2')], [outcome('5')]]);
    expect(r.failed).toEqual([{ Status: 'FAILED', Input: { Items: [{ id: '3' }, { id: '4' }] }, Error: 'FanOutMap.ItemsFailed', Cause: JSON.stringify([outcome('3', ['3']), outcome('4')]) }]);
  });

  test('items that a processor catches (catchErrors) count as succeeded, their error recorded as the output', async () => {
    const stack = newStack();
    const data = dataBucket(stack);
    const processorFn = fn(stack, 'Import');
    const map = new FanOutMap(stack, 'Each', { items: ItemSource.s3JsonLines(data, 'rows.jsonl'), processor: FanOutProcessor.lambda(processorFn, { catchErrors: ['BadRow'] }) });
    const asl = aslOf(stack, new Workflow(stack, 'W', { definition: map }));
    const s3Local = new LocalS3();
    s3Local.putObject(arnOf(data, 'Ref'), 'rows.jsonl', '{"id":"1"}\n{"id":"2"}\n');
    s3Local.createBucket(arnOf(map.resultBucket!, 'Ref'));
    const r = await runLocally(asl, {
      s3: s3Local,
      resources: { [arnOf(processorFn)]: (row: any) => { if (row.id === '2') throw new TaskFailure('BadRow', 'no'); return { imported: row.id }; } },
    });
    expect(r.output.ItemCounts).toMatchObject({ Succeeded: 2, Failed: 0, Total: 2 });
    expect(r.mapRuns[0].executions[0].output).toEqual([
      { Status: 'SUCCEEDED', Output: { imported: '1' } },
      { Status: 'SUCCEEDED', Output: { error: { Error: 'BadRow', Cause: 'no' } } },
    ]);
  });

  test('a batch holds at most 256 KiB of items: large items make smaller children', async () => {
    const stack = newStack();
    const data = dataBucket(stack);
    const processorFn = fn(stack, 'Import');
    const map = new FanOutMap(stack, 'Each', { items: ItemSource.s3JsonLines(data, 'rows.jsonl'), processor: FanOutProcessor.lambda(processorFn) });
    const asl = aslOf(stack, new Workflow(stack, 'W', { definition: map }));
    const s3Local = new LocalS3();
    const big = 'x'.repeat(100 * 1024);
    s3Local.putObject(arnOf(data, 'Ref'), 'rows.jsonl', [1, 2, 3, 4, 5].map(id => JSON.stringify({ id, big })).join('\n'));
    s3Local.createBucket(arnOf(map.resultBucket!, 'Ref'));
    const r = await runLocally(asl, { s3: s3Local, resources: { [arnOf(processorFn)]: (row: any) => row.id } });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.mapRuns[0].executions.map(e => (e.output as unknown[]).length)).toEqual([2, 2, 1]);
    expect(r.output.ItemCounts).toMatchObject({ Succeeded: 5, Total: 5 });
  });
});

test('a JSONata distributed FanOutMap in a JSONPath workflow writes its ResultWriter in JSONata', () => {
  const stack = newStack();
  const map = new FanOutMap(stack, 'Each', {
    items: ItemSource.s3Json(dataBucket(stack), 'items.json'),
    processor: FanOutProcessor.lambda(fn(stack)),
    queryLanguage: sfn.QueryLanguage.JSONATA,
  });
  const workflow = new Workflow(stack, 'W', { definition: map, queryLanguage: sfn.QueryLanguage.JSON_PATH });
  const definition = aslOf(stack, workflow);
  expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  const state: any = Object.values(definition.States).find((st: any) => st.Type === 'Map');
  expect(state.QueryLanguage).toBe('JSONata');
  expect(state.ResultWriter.Arguments).toEqual(expect.objectContaining({ Bucket: expect.any(String) }));
  expect(state.ResultWriter.Parameters).toBeUndefined();
  expect(definition).toBeValidAsl();
});
