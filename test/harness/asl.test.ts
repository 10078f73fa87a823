import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { sampleWorkflow } from './sample-workflow';
import { aslFromTemplate, aslOf, arnOf, logicalIdOf, resolveIntrinsics } from '../support/asl';
import { aslValidationErrors, expectValidAsl } from '../support/asl-validation';

describe('aslOf', () => {
  test('resolves Lambda, SNS and partition references to placeholders a test can compute', () => {
    const { stack, stateMachine, validateFn, topic } = sampleWorkflow();
    const asl = aslOf(stack, stateMachine);
    expect(asl.StartAt).toBe('Validate order');
    expect(asl.States['Validate order'].Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(asl.States['Validate order'].Parameters.FunctionName).toBe(arnOf(validateFn));
    expect(arnOf(validateFn)).toBe(`arn:aws:lambda:us-east-1:123456789012:function:${logicalIdOf(validateFn)}`);
    const publish = asl.States['Notify and approve'].Branches[0].States.Publish;
    expect(publish.Parameters.TopicArn).toBe(arnOf(topic));
    expect(arnOf(topic)).toBe(`arn:aws:sns:us-east-1:123456789012:${logicalIdOf(topic)}`);
    expect(asl).toBeValidAsl();
  });

  test('applies DefinitionSubstitutions', () => {
    const stack = new Stack(new App(), 'Subst');
    const machine = new sfn.StateMachine(stack, 'M', {
      definitionBody: sfn.DefinitionBody.fromString('{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"${greeting}","End":true}}}'),
      definitionSubstitutions: { greeting: stack.region },
    });
    expect(aslOf(stack, machine).States.P.Result).toBe('us-east-1');
  });

  test('resolves Fn::Sub with attributes and variables, Fn::Select and Fn::Split', () => {
    const template = { Resources: { Fn: { Type: 'AWS::Lambda::Function' }, Q: { Type: 'AWS::SQS::Queue' } } };
    expect(resolveIntrinsics({ 'Fn::Sub': '${Fn.Arn}/${AWS::Region}/${Q}' }, template))
      .toBe('arn:aws:lambda:us-east-1:123456789012:function:Fn/us-east-1/https://sqs.us-east-1.amazonaws.com/123456789012/Q');
    expect(resolveIntrinsics({ 'Fn::Sub': ['${x}-${Fn}', { x: { Ref: 'AWS::AccountId' } }] }, template)).toBe('123456789012-Fn');
    expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }, template)).toBe('b');
  });

  test('fails when the logical id is not a state machine, listing the ones there are', () => {
    const template = { Resources: { A: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: '{}' } }, B: { Type: 'AWS::SNS::Topic' } } };
    expect(() => aslFromTemplate(template, 'B')).toThrow("aslOf: 'B' is not a state machine in this template (state machines: A)");
  });

  test('fails when an intrinsic is not supported', () => {
    expect(() => resolveIntrinsics({ 'Fn::If': ['C', 'a', 'b'] }, {})).toThrow('intrinsic Fn::If is not supported');
  });
});

describe('ASL validation', () => {
  test('a synthesized definition is valid', () => {
    const { stack, stateMachine } = sampleWorkflow();
    expect(aslValidationErrors(aslOf(stack, stateMachine))).toEqual([]);
  });

  test('fails when a definition is broken, listing every error', () => {
    const broken = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'Missing' },
        B: { Type: 'Pass', Next: 'Also missing' },
      },
    };
    const errors = aslValidationErrors(broken);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.join('\n')).toMatch(/Missing/);
    expect(errors.join('\n')).toMatch(/Also missing/);
    expect(() => expectValidAsl(broken)).toThrow(/ASL is not valid \(\d+ errors\):/);
    expect(() => expect(broken).toBeValidAsl()).toThrow(/asl-validator found \d+ error\(s\)/);
  });

  test('does not modify the definition it checks', () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    aslValidationErrors(definition);
    expect(definition).toEqual({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
  });
});
