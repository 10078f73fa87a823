import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { expectNagClean, nagFindings } from '../support/nag';
import { snapshotOf, scrubAssetHashes } from '../support/snapshot';

describe('cdk-nag helper', () => {
  test('reports an unsuppressed finding', () => {
    const stack = new Stack(new App(), 'Nag');
    new sns.Topic(stack, 'Topic');
    const findings = nagFindings(stack);
    expect(findings.some(f => f.includes('AwsSolutions-SNS3'))).toBe(true);
    expect(() => expectNagClean(new Stack(new App(), 'Nag2'))).not.toThrow();
  });

  test('fails when a stack has a finding, naming the rule', () => {
    const stack = new Stack(new App(), 'Nag');
    new sns.Topic(stack, 'Topic');
    expect(() => expectNagClean(stack)).toThrow(/cdk-nag: \d+ finding\(s\) in Nag:[\s\S]*AwsSolutions-SNS3/);
  });

  test('accepts suppressions with reasons, and fails on a suppression without a real reason', () => {
    const stack = new Stack(new App(), 'Nag');
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    NagSuppressions.addResourceSuppressions(topic, [
      { id: 'AwsSolutions-SNS2', reason: 'The topic carries no data: it only wakes a poller up.' },
    ]);
    expect(nagFindings(stack)).toEqual([]);

    const other = new Stack(new App(), 'Nag2');
    const lazy = new sns.Topic(other, 'Topic', { enforceSSL: true });
    NagSuppressions.addResourceSuppressions(lazy, [{ id: 'AwsSolutions-SNS2', reason: 'not needed.' }]);
    expect(nagFindings(other)).toEqual([
      expect.stringMatching(/suppression of AwsSolutions-SNS2 has no real reason \(got "not needed\."/),
    ]);
  });

  test('runs the Serverless pack on request', () => {
    const stack = new Stack(new App(), 'Nag');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    expect(nagFindings(stack, { serverless: true }).some(f => f.includes('Serverless-LambdaDLQ'))).toBe(true);
    expect(nagFindings(new Stack(new App(), 'Plain')).length).toBe(0);
  });
});

describe('snapshots', () => {
  test('scrub asset hashes', () => {
    const hash = 'a'.repeat(64);
    expect(scrubAssetHashes({ S3Key: `${hash}.zip`, keep: 'abc' })).toEqual({ S3Key: 'ASSET_HASH.zip', keep: 'abc' });
  });

  test('a stack with a Lambda asset has no hash left', () => {
    const stack = new Stack(new App(), 'Snap');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(__dirname) });
    const text = JSON.stringify(snapshotOf(stack));
    expect(text).toContain('ASSET_HASH.zip');
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});
