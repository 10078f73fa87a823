/**
 * The grants the gate's functions share: exact table ARNs, and what delivering a decision to a
 * workflow needs of its state machine.
 */
import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { suppressNag, wildcardResourceFindings } from '../private/nag';

/** Allows actions on exact table (or index) ARNs, without the `index/*` that Table.grant adds. */
export function grantTable(grantee: iam.IGrantable, resourceArns: string[], ...actions: string[]): void {
  iam.Grant.addToPrincipal({ grantee, actions, resourceArns });
}

/**
 * What delivering a decision needs of a state machine: `SendTaskSuccess` on it (a rejection is a
 * successful decision too; never SendTaskFailure), and `GetExecutionHistory` on its executions, to
 * establish whether a decision whose answer was lost reached the task.
 */
export function deliveryStatements(stateMachine: sfn.IStateMachine): iam.PolicyStatement[] {
  const stack = Stack.of(stateMachine);
  const name = stateMachine instanceof sfn.StateMachine
    ? stateMachine.stateMachineName
    : Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  return [
    new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [stateMachine.stateMachineArn] }),
    new iam.PolicyStatement({
      actions: ['states:GetExecutionHistory'],
      // Its executions (`<machine>:<id>`), and the child executions of its Distributed Maps (`<machine>/<map run label>:<id>`).
      resources: [`${name}:*`, `${name}/*`].map(resourceName =>
        stack.formatArn({ service: 'states', resource: 'execution', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
    }),
  ];
}


/** Adds the delivery statements for a state machine to a policy, with the cdk-nag suppression of exactly its executions. */
export function addDeliveryStatements(policy: iam.Policy, stateMachine: sfn.IStateMachine): void {
  const statements = deliveryStatements(stateMachine);
  policy.addStatements(...statements);
  const appliesTo = wildcardResourceFindings(statements.map(s => Stack.of(policy).resolve(s.toStatementJson())));
  suppressNag(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'GetExecutionHistory is allowed on the executions of the state machines that contain the gate, and only those (an execution ARN is the state machine\'s name and the execution\'s): it establishes whether a decision whose answer was lost reached the task.',
    appliesTo,
  }]);
}
