/**
 * The CloudFormation resource behind a construct of a stack, as a local run names it.
 */
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { HarnessError } from './local-execution';

/**
 * The CloudFormation resource a construct stands for: itself, or its default child all the way down
 * (a Workflow wraps its state machine, a Function its CfnFunction); undefined when there is none.
 */
export function cfnResourceOf(construct: IConstruct | undefined): CfnResource | undefined {
  let current = construct;
  while (current && !CfnResource.isCfnResource(current)) current = current.node.defaultChild;
  return current as CfnResource | undefined;
}

/** The resource of `type` a construct stands for, with its logical id; a {@link HarnessError} with `refusal` otherwise. */
export function resourceOfType(construct: IConstruct, type: string, refusal: () => string): { resource: CfnResource; logicalId: string } {
  const resource = cfnResourceOf(construct);
  if (!resource || resource.cfnResourceType !== type) throw new HarnessError(refusal());
  return { resource, logicalId: Stack.of(resource).resolve(Stack.of(resource).getLogicalId(resource as CfnElement)) as string };
}
