/**
 * The task that runs a workflow as the child of another, in the parent's query language.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { checkObjectLanguage, declareQueryLanguage } from './query-language';
import type { NestedWorkflowOptions } from '../workflow/workflow-options';

/**
 * The retry AWS recommends for a task that starts an execution: the account's limit of open
 * executions reached, retried with backoff until executions end.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-nested-workflows.html
 */
export const NESTED_EXECUTION_RETRY: sfn.RetryProps = {
  errors: ['StepFunctions.ExecutionLimitExceeded'],
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.FULL,
};

/** The child workflow, as the nested task needs it. */
export interface NestedChild {
  /** `Workflow 'Child'`, for messages. */
  readonly name: string;
  readonly stateMachine: sfn.IStateMachine;
  readonly isExpress: boolean;
}

/**
 * A Standard child is awaited (`.sync:2`) and its result trimmed to `{ Output }`; an Express child is
 * started and not awaited. The parent execution's id goes into the child's input, which is the
 * state's input by default.
 */
export function nestedTask(child: NestedChild, scope: Construct, id: string, options: NestedWorkflowOptions): tasks.StepFunctionsStartExecution {
  const language = options.queryLanguage ?? sfn.QueryLanguage.JSON_PATH;
  const jsonata = language === sfn.QueryLanguage.JSONATA;
  const where = `${child.name}: nested task '${id}'`;
  if (options.input && options.input.type !== sfn.InputType.OBJECT) {
    throw new Error(`${where} input must be an object (sfn.TaskInput.fromObject) so that the parent execution's id can be added to it; leave input out to pass the state's input`);
  }
  if (options.input) checkObjectLanguage(where, 'input', options.input.value, jsonata);
  if (jsonata && (options.resultPath !== undefined || options.outputPath !== undefined)) {
    throw new Error(`${where} is JSONata, which has no resultPath or outputPath (got ${options.resultPath !== undefined ? `resultPath '${options.resultPath}'` : `outputPath '${options.outputPath}'`}); shape its output with outputs`);
  }
  if (!jsonata && options.outputs !== undefined) {
    throw new Error(`${where} is JSONPath, which has no outputs; use resultPath and outputPath, or queryLanguage: sfn.QueryLanguage.JSONATA`);
  }
  const common = {
    stateMachine: child.stateMachine,
    integrationPattern: child.isExpress ? sfn.IntegrationPattern.REQUEST_RESPONSE : sfn.IntegrationPattern.RUN_JOB,
    associateWithParent: options.input !== undefined,
    taskTimeout: options.taskTimeout,
    comment: options.comment,
  };
  const task = jsonata
    ? tasks.StepFunctionsStartExecution.jsonata(scope, id, {
      ...common,
      input: options.input ?? sfn.TaskInput.fromText('{% $merge([$states.input, {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": $states.context.Execution.Id}]) %}'),
      // A Standard child's DescribeExecution answer repeats its input (the parent's state): keep its output only.
      outputs: options.outputs ?? (child.isExpress ? undefined : '{% {"Output": $states.result.Output} %}'),
    })
    : tasks.StepFunctionsStartExecution.jsonPath(scope, id, {
      ...common,
      // What associateWithParent does for an object input, done for the whole input.
      input: options.input ?? sfn.TaskInput.fromJsonPathAt(sfn.JsonPath.jsonMerge(sfn.JsonPath.entirePayload, sfn.JsonPath.stringToJson(
        sfn.JsonPath.format('\\{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":"{}"\\}', sfn.JsonPath.executionId)))),
      // A Standard child's DescribeExecution answer repeats its input (the parent's state): keep its output only.
      resultSelector: child.isExpress ? undefined : { Output: sfn.JsonPath.objectAt('$.Output') },
      resultPath: options.resultPath,
      outputPath: options.outputPath,
    });
  task.addRetry(NESTED_EXECUTION_RETRY);
  return declareQueryLanguage(task, language,
    () => `${where} is JSONPath, and the workflow it runs in is JSONata; give asNestedTask queryLanguage: sfn.QueryLanguage.JSONATA`);
}
