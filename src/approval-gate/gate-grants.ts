/**
 * The grants the gate's functions share: exact table ARNs, and what delivering a decision to a
 * workflow needs of its state machine.
 */
import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
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
  const name = nameOf(stateMachine);
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

/**
 * The ARNs a shared service's grants name for a workflow: for a name CloudFormation makes
 * (`<logical id>-<random>`, never the start of another such name), one pattern for the state machine
 * and all its executions (`arn:…:states:<region>:<account>:*:<name>*`), so that a role holds the
 * grants of a few dozen workflows within IAM's 10,240 characters; for a name of yours, which may be the
 * start of another's (`orders`, `orders-admin`), the exact ARNs a gate of its own grants.
 */
export function deliveryResources(stateMachine: sfn.IStateMachine): string[] {
  const given = (stateMachine.node.defaultChild as sfn.CfnStateMachine | undefined)?.stateMachineName;
  const named = given !== undefined && !Token.isUnresolved(given);
  if (named) return deliveryStatements(stateMachine).flatMap(statement => statement.resources);
  return [Stack.of(stateMachine).formatArn({ service: 'states', resource: '*', resourceName: `${nameOf(stateMachine)}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })];
}

/** A state machine's name: its attribute, or read from the ARN of one imported. */
function nameOf(stateMachine: sfn.IStateMachine): string | undefined {
  return stateMachine instanceof sfn.StateMachine
    ? stateMachine.stateMachineName
    : Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
}

/**
 * The grants of a shared service's functions on the workflows of one stack: one policy, attached to
 * the three roles, in that stack (the service's own scope when it is the service's stack), with one
 * statement whose resources grow with each workflow. Across stacks, the grant lives with the
 * workflow, which already depends on the service: the service's stack never refers to a gate's.
 */
export class SharedDeliveryGrants {
  private readonly statement = new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:GetExecutionHistory'] });
  private readonly policy: iam.Policy;
  private readonly granted = new Set<string>();
  private patterns = 0;

  constructor(scope: Construct, id: string, roles: iam.IRole[]) {
    this.policy = new iam.Policy(scope, id, { roles, statements: [this.statement] });
  }

  /** The number of workflows granted. */
  public get size(): number {
    return this.granted.size;
  }

  /** The number of ARNs granted (what the roles' policy size grows with). */
  public get weight(): number {
    return this.patterns;
  }

  /** Allows the roles to deliver decisions to a workflow's state machine (once per state machine). */
  public add(stateMachine: sfn.IStateMachine): void {
    const stack = Stack.of(this.policy);
    const key = JSON.stringify(stack.resolve(stateMachine.stateMachineArn));
    if (this.granted.has(key)) return;
    this.granted.add(key);
    const resources = deliveryResources(stateMachine);
    this.patterns += resources.length;
    this.statement.addResources(...resources);
    suppressNag(this.policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The approval service answers this workflow and reads its executions\' history, whose ARNs hold run-time names.',
      appliesTo: wildcardResourceFindings([{ Effect: 'Allow', Resource: stack.resolve(resources) }]),
    }]);
  }
}
