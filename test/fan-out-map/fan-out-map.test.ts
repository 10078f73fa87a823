import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import {
  FanOutMap, FanOutMapProps, FanOutMode, FanOutProcessor, ItemSource, LambdaRetry, ToleratedFailure, Workflow,
} from '../../src';
import { arnOf, aslOf } from '../support/asl';
import { LocalS3, TaskFailure, itemProcessorOf, runLocally } from '../support/local-execution';
import { expectNagClean } from '../support/nag';
import { snapshotOf } from '../support/snapshot';

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
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Each item' },
      End: true,
    });
    expect(state.ItemProcessor.States['Each item']).toMatchObject({
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

  describe('local execution', () => {
    function inline(catchErrors?: string[]) {
      const stack = newStack();
      const processorFn = fn(stack, 'Resize');
      const map = new FanOutMap(stack, 'Resize all', {
        items: ItemSource.jsonArray('$.images'),
        processor: FanOutProcessor.lambda(processorFn, { catchErrors, transientRetry: { maxAttempts: 2 } }),
        resultPath: '$.resized',
      });
      const workflow = new Workflow(stack, 'W', { definition: map.next(new sfn.Succeed(stack, 'Done')) });
      return { asl: aslOf(stack, workflow), fnArn: arnOf(processorFn) };
    }

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
      expect(run.retries).toEqual([{ state: 'Resize all item', error: 'Lambda.TooManyRequestsException', attempt: 1 }]);
      expect(run.catches).toEqual([{ state: 'Resize all item', error: 'InvalidImage', next: 'Resize all item failed' }]);
      expect(run.path[0]).toBe('Resize all');
      expect(run.path.filter(s => s === 'Resize all item')).toHaveLength(3);
      expect(run.path.filter(s => s === 'Resize all item failed')).toHaveLength(1);
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
  ])('%s: a Distributed Map with its item reader, Express children, 1000 at a time, results to S3', (_name, source, reader) => {
    const stack = newStack();
    const bucket = dataBucket(stack);
    const { map, asl } = fanOut(stack, { items: source(bucket) });
    const state = asl().States.Each;
    expect(state.ItemReader).toMatchObject(reader);
    expect(state.ItemReader.Parameters.Bucket).toBe(arnOf(bucket, 'Ref'));
    expect(state).toMatchObject({
      MaxConcurrency: 1000,
      Label: 'Each',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: arnOf(map.resultBucket!, 'Ref'), Prefix: 'fan-out/Each' },
        WriterConfig: { OutputType: 'JSON', Transformation: 'NONE' },
      },
      Next: 'Each summary',
    });
    expect(state.ItemsPath).toBeUndefined();
    expect(asl()).toBeValidAsl();
    expect(map.mode).toBe(FanOutMode.DISTRIBUTED);
    expect(map.childExecutionType).toBe(sfn.StateMachineType.EXPRESS);
  });

  test('the summary reads the item counts of the map run; the output points at the results', () => {
    const stack = newStack();
    const { asl } = fanOut(stack, { items: ItemSource.s3Json(dataBucket(stack), 'items.json'), resultPath: '$.report' });
    const definition = asl();
    expect(definition.States.Each.ResultPath).toBe('$.report');
    expect(definition.States['Each summary']).toEqual({
      Type: 'Task',
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
    expect(asl().States['Each summary']).toBeUndefined();
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
      ItemProcessor: { StartAt: 'Each batch' },
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
      expect(child.StartAt).toBe('Import rows batch');
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
      expect(run.retries).toEqual([{ state: 'Import rows batch', error: 'Lambda.ServiceException', attempt: 1 }]);
      expect(run.path).toEqual(['Import rows batch']);
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
    expect(asl.States['Each summary'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Fan-out failed' }]);
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
    expect(build({ items: ItemSource.jsonArray('items') })).toThrow("FanOutMap 'Each': the items path must be a JSON path starting with '$' (got 'items')");
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
