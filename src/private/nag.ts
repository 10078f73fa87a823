import * as cdk from 'aws-cdk-lib';
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';

/** A cdk-nag rule suppression, with the reason a reviewer reads. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: string[];
}

function toMetadata(suppressions: NagSuppression[]): any[] {
  return suppressions.map(s => ({ id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) }));
}

/**
 * The rule ids cdk-nag v3 looks up for a suppression: the rule, or each of its findings
 * (`AwsSolutions-IAM5[Resource::*]`), which v3 does not cover with the bare rule id.
 */
export function acknowledgedIds(suppression: NagSuppression): string[] {
  return suppression.appliesTo ? suppression.appliesTo.map(finding => `${suppression.id}[${finding}]`) : [suppression.id];
}

/**
 * Acknowledges the suppressions for cdk-nag v3, which runs as a CDK policy validation plugin and reads
 * the acknowledged rules recorded on the construct and its scopes (the metadata
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`: rule id → reason). It is recorded directly rather
 * than through `Validations.of(construct).acknowledge()`, which before aws-cdk-lib 2.262 refuses the
 * ids of findings that hold `::` (`AwsSolutions-IAM4[Policy::arn:...]`). `Validations` exists from
 * aws-cdk-lib 2.257, the first version cdk-nag v3 supports; with an older aws-cdk-lib there is no
 * cdk-nag v3 to read it, and v2 reads the template metadata.
 */
function acknowledge(construct: IConstruct, suppressions: NagSuppression[]): void {
  const key: unknown = (cdk as any).Validations?.ACKNOWLEDGED_RULES_METADATA_KEY;
  if (typeof key !== 'string') return;
  const acknowledged: Record<string, string> = {};
  for (const suppression of suppressions) {
    for (const id of acknowledgedIds(suppression)) acknowledged[id] = suppression.reason;
  }
  construct.node.addMetadata(key, acknowledged);
}

/**
 * Records cdk-nag suppressions on a resource, read by cdk-nag v2 (the `cdk_nag` template metadata) and
 * v3 (acknowledgements on the resource), so the library needs no dependency on cdk-nag.
 */
export function suppressNag(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) return;
  const existing = resource.getMetadata('cdk_nag') ?? {};
  resource.addMetadata('cdk_nag', {
    ...existing,
    rules_to_suppress: [...(existing.rules_to_suppress ?? []), ...toMetadata(suppressions)],
  });
  acknowledge(resource, suppressions);
}

/**
 * Records cdk-nag suppressions for the whole stack, for findings on a resource the construct cannot
 * reach (a state machine fragment does not know the role it will be granted on). Each suppression
 * must name the exact findings it covers (`appliesTo`); suppressions without any are ignored.
 */
export function suppressNagInStack(scope: IConstruct, suppressions: NagSuppression[]): void {
  const exact = suppressions.filter(s => s.appliesTo && s.appliesTo.length > 0);
  if (exact.length === 0) return;
  const stack = Stack.of(scope);
  const metadata = stack.templateOptions.metadata ?? {};
  const existing = metadata.cdk_nag ?? {};
  stack.templateOptions.metadata = {
    ...metadata,
    cdk_nag: { ...existing, rules_to_suppress: [...(existing.rules_to_suppress ?? []), ...toMetadata(exact)] },
  };
  acknowledge(stack, exact);
}

/**
 * The cdk-nag `AwsSolutions-IAM5` findings (`Resource::...`) of the wildcard resources of resolved
 * policy statements, written the way cdk-nag writes them (`<LogicalId.Arn>/prefix/*`).
 */
export function wildcardResourceFindings(statements: any[]): string[] {
  const found = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources.map(flattenReference)) {
      if (resource.includes('*')) found.add(`Resource::${resource}`);
    }
  }
  return [...found];
}

/** A resolved CloudFormation value as cdk-nag flattens it for suppressions. */
function flattenReference(node: any): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * Suppresses, on a state machine's role policy, the `ARN:*` that CDK's Lambda tasks grant for the
 * functions' versions, naming each function (given as resolved ARNs, as the ASL holds them): the state
 * machine may invoke those functions and nothing else.
 */
export function suppressLambdaVersionGrants(stateMachine: sfn.StateMachine, functionArns: unknown[], owner: string): void {
  const policy = stateMachine.role.node.tryFindChild('DefaultPolicy');
  const appliesTo = [...new Set(functionArns.map(arn => {
    const getAtt = (arn as any)?.['Fn::GetAtt'];
    return Array.isArray(getAtt) ? `Resource::<${getAtt[0]}.Arn>:*` : typeof arn === 'string' ? `Resource::${arn}:*` : undefined;
  }).filter((a): a is string => a !== undefined))];
  if (!policy || appliesTo.length === 0) return;
  suppressNag(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: `CDK's Lambda tasks grant each function and its versions (ARN:*): ${owner} may invoke these functions and nothing else.`,
    appliesTo,
  }]);
}

/**
 * X-Ray (PutTraceSegments...) and CloudWatch Logs delivery (CreateLogDelivery...) actions support no
 * resource-level permissions: CDK grants them on '*' to the role a state machine creates.
 */
export function suppressTracingAndLoggingGrants(stateMachine: sfn.StateMachine): void {
  const policy = stateMachine.role.node.tryFindChild('DefaultPolicy');
  if (!policy) return;
  suppressNag(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'X-Ray tracing and CloudWatch Logs vended log delivery actions do not support resource-level permissions, so they are granted on *.',
    appliesTo: ['Resource::*'],
  }]);
}

/**
 * CDK grants a state machine with a Distributed Map the describe, stop and redrive of its own child
 * executions (the DistributedMapPolicy), on ARNs that end with names made at run time.
 */
export function suppressDistributedMapGrants(stateMachine: sfn.StateMachine): void {
  const policy = stateMachine.node.tryFindChild('DistributedMapPolicy');
  if (!(policy instanceof iam.Policy)) return;
  const findings = wildcardResourceFindings(Stack.of(stateMachine).resolve(policy.document).Statement ?? []);
  if (findings.length === 0) return;
  suppressNag(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'A Distributed Map describes, stops and redrives its own child executions, whose ARNs end with names made at run time; CDK grants this on the executions of this state machine only.',
    appliesTo: findings,
  }]);
}

/**
 * Suppresses, on a state machine's role policy, the wildcard resources of the statements that grant
 * these actions (what CDK grants a kind of task), with the reason they cannot be narrower. With
 * `among`, a statement also qualifies when they are among its actions (CDK merges the statements on
 * `*` of a role into one).
 */
function suppressTaskGrants(stateMachine: sfn.StateMachine, actions: string[], reason: string, among = false): void {
  const policy = stateMachine.role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return;
  const grants = (action: string) => actions.includes(action);
  const statements = (Stack.of(stateMachine).resolve(policy.document).Statement ?? []).filter((statement: any) =>
    (among ? [statement.Action].flat().some(grants) : [statement.Action].flat().every(grants)));
  const findings = wildcardResourceFindings(statements);
  if (findings.length === 0) return;
  suppressNag(policy, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: findings }]);
}

/**
 * CDK grants a task that runs another state machine and waits for it (`asNestedTask`, `.sync`) the
 * describe and stop of that state machine's executions, whose ARNs end with names made at run time.
 */
export function suppressNestedExecutionGrants(stateMachine: sfn.StateMachine): void {
  suppressTaskGrants(stateMachine, ['states:DescribeExecution', 'states:StopExecution'],
    'A nested workflow task describes and stops the child executions it starts, whose ARNs end with names made at run time; CDK grants this on the executions of that child state machine only.');
}

/**
 * CDK grants a container task (ECS RunTask `.sync`) `ecs:RunTask` on its task definition's family
 * (any revision, `family:*`, without the `fixRunEcsTaskPolicy` flag), and `ecs:StopTask` and
 * `ecs:DescribeTasks` on `*`: the task's id is known only once it runs.
 */
export function suppressContainerTaskGrants(stateMachine: sfn.StateMachine): void {
  suppressTaskGrants(stateMachine, ['ecs:RunTask', 'ecs:StopTask', 'ecs:DescribeTasks'],
    'A container task runs its own task definition family (ecs:RunTask on family:*, the revisions of that one task definition), '
    + 'and stops and describes the task it started, whose id is known only once it runs (ecs:StopTask, ecs:DescribeTasks on *), as CDK grants them.', true);
}
