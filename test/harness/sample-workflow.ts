/**
 * A small hand-made workflow that exercises every construct the harness must handle:
 * Task -> Choice -> Map -> Parallel (with a callback task and a Wait), Retry and Catch.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

export function sampleWorkflow() {
  const app = new App();
  const stack = new Stack(app, 'Sample');
  const fn = (id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  const validateFn = fn('ValidateFn');
  const processFn = fn('ProcessFn');
  const approveFn = fn('ApproveFn');
  const topic = new sns.Topic(stack, 'Topic');

  const failed = new sfn.Fail(stack, 'Order failed', { error: 'OrderFailed', cause: 'validation failed' });
  const validate = new tasks.LambdaInvoke(stack, 'Validate order', {
    lambdaFunction: validateFn,
    outputPath: '$.Payload',
    retryOnServiceExceptions: false,
  }).addRetry({ errors: ['Lambda.TooManyRequestsException'], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 })
    .addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });

  const processItem = new tasks.LambdaInvoke(stack, 'Process item', {
    lambdaFunction: processFn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  }).addRetry({ errors: ['Lambda.TooManyRequestsException'], maxAttempts: 3 });
  const processItems = new sfn.Map(stack, 'Process items', { itemsPath: '$.items', resultPath: '$.processed', maxConcurrency: 2 })
    .itemProcessor(processItem);

  const notify = new sfn.Parallel(stack, 'Notify and approve', { resultPath: '$.branches' })
    .branch(new tasks.SnsPublish(stack, 'Publish', { topic, message: sfn.TaskInput.fromJsonPathAt('$.orderId'), resultPath: sfn.JsonPath.DISCARD }))
    .branch(new tasks.LambdaInvoke(stack, 'Wait for approval', {
      lambdaFunction: approveFn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken, orderId: sfn.JsonPath.stringAt('$.orderId') }),
    }))
    .branch(new sfn.Wait(stack, 'Cool down', { time: sfn.WaitTime.duration(Duration.hours(1)) }))
    .addCatch(new sfn.Fail(stack, 'Not approved', { error: 'NotApproved' }), { errors: ['Approval.Rejected'] });

  const definition = validate.next(new sfn.Choice(stack, 'Has items?')
    .when(sfn.Condition.isNotPresent('$.items'), new sfn.Succeed(stack, 'Nothing to do'))
    .otherwise(processItems.next(notify).next(new sfn.Succeed(stack, 'Done'))));

  const stateMachine = new sfn.StateMachine(stack, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
  });
  return { app, stack, stateMachine, validateFn, processFn, approveFn, topic };
}
