/**
 * The ASL of a state machine in a CDK stack, and the placeholder ARNs of constructs in it.
 * Template-only helpers (intrinsics, placeholders) live in src/testing/asl.ts and are re-exported here.
 */
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { aslFromTemplate, Asl, CfnTemplate, placeholderFor } from '../../src/testing/asl';
import { cfnResourceOf as cfnResourceOfConstruct } from '../../src/testing/resources';

export * from '../../src/testing/asl';

function cfnResourceOf(construct: IConstruct): CfnResource {
  const resource = cfnResourceOfConstruct(construct);
  if (!resource) throw new Error(`aslOf: '${construct.node.path}' has no CloudFormation resource`);
  return resource;
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(cfnResourceOf(construct) as CfnElement);
}

/**
 * The placeholder ARN (or other `Ref`/`Fn::GetAtt` value) a construct resolves to in {@link aslOf}.
 * @param attribute the `Fn::GetAtt` attribute; `Arn` by default, `undefined`-like `'Ref'` for `Ref`.
 */
export function arnOf(construct: IConstruct, attribute = 'Arn'): string {
  const resource = cfnResourceOf(construct);
  const id = Stack.of(construct).getLogicalId(resource as CfnElement);
  if (attribute === 'Ref') return placeholderFor(id, resource.cfnResourceType);
  if (resource.cfnResourceType === 'AWS::SNS::Topic' || resource.cfnResourceType === 'AWS::StepFunctions::StateMachine' || resource.cfnResourceType === 'AWS::SecretsManager::Secret') {
    return placeholderFor(id, resource.cfnResourceType);
  }
  return placeholderFor(id, resource.cfnResourceType, attribute);
}

/** The concrete ASL of a state machine (or a construct wrapping one) in a stack. */
export function aslOf(stack: Stack, stateMachine: IConstruct): Asl {
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  return aslFromTemplate(template, logicalIdOf(stateMachine));
}
