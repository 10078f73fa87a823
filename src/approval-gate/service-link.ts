/**
 * What an ApprovalService's gates reach of it: its backend, and the grants its functions get on the
 * topics and workflows of its gates, per stack. Kept off the public API: a gate finds the link of the
 * service it is given.
 */
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ApprovalBackend } from './approval-backend';
import { SharedDeliveryGrants } from './gate-grants';
import { GateTopic } from './request-side';
import { suppressNag, wildcardResourceFindings } from '../private/nag';
import { ResponderHost } from '../private/task-responders';

/**
 * The workflows one service may answer. Its three roles hold a grant for each (one ARN pattern for a
 * workflow whose name CloudFormation makes, three exact ones for a name of yours), and IAM allows a
 * role 10,240 characters of inline policy: 60 patterns, with names as long as Step Functions allows,
 * leave room for the rest.
 */
export const MAX_SERVICE_WORKFLOWS = 60;

/** How often a shared service looks for requests to remind approvers of; each gate's own interval is kept in its requests. */
const REMINDER_CHECK = Duration.minutes(5);

export class ServiceLink {
  private readonly delivery = new Map<Stack, SharedDeliveryGrants>();
  private readonly publish = new Map<Stack, iam.Policy>();
  private readonly gates: IConstruct[] = [];

  constructor(private readonly service: Construct, public readonly backend: ApprovalBackend) {
    service.node.addValidation({ validate: () => this.validate() });
  }

  /** The name of the service, for messages. */
  public get name(): string {
    return `ApprovalService '${this.service.node.id}'`;
  }

  /** A gate joins the service: its function may publish to the gate's topic. */
  public attach(gate: Construct, gateName: string, topic: GateTopic, remindersWanted: boolean): void {
    this.checkReachable(gate, gateName);
    this.gates.push(gate);
    const role = this.backend.request.role;
    if (topic.owned) {
      // The topic's own policy: nothing grows in the service's roles, nothing in the service's stack refers to the gate's.
      topic.topic.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ArnPrincipal(role.roleArn)], actions: ['sns:Publish'], resources: [topic.topic.topicArn],
      }));
    } else if (Stack.of(gate) === Stack.of(this.service)) {
      topic.grantPublish(role);
    } else {
      const policy = this.publishPolicy(Stack.of(gate));
      policy.addStatements(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topic.topicArn] }));
      if (topic.topic.masterKey) {
        policy.addStatements(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [topic.topic.masterKey.keyArn] }));
      }
    }
    if (remindersWanted) this.backend.request.addReminders(REMINDER_CHECK, true);
  }

  /** The service's functions may deliver the gate's decisions to a workflow that contains it. */
  public bind(gate: Construct, host: ResponderHost): void {
    const stack = Stack.of(gate);
    let grants = this.delivery.get(stack);
    if (!grants) {
      const same = stack === Stack.of(this.service);
      grants = same
        ? new SharedDeliveryGrants(this.service, 'TaskResponsePolicy', this.backend.deliveryRoles)
        : new SharedDeliveryGrants(stack, `${this.service.node.id}Grants${this.service.node.addr.slice(0, 8)}`, this.backend.deliveryRoles);
      this.delivery.set(stack, grants);
    }
    grants.add(host.stateMachine);
    // Across top-level stacks the reference is an export; a nested stack's is a parameter, which CDK names itself.
    const serviceStack = Stack.of(this.service);
    if (stack !== serviceStack && !stack.nested && !serviceStack.nested) this.acknowledgeImportedFunction(host);
  }

  /**
   * The workflow's role may invoke the service's request function and its versions (`ARN:*`, as CDK's
   * Lambda tasks grant): from another stack, that ARN is an import, which the Workflow's own
   * acknowledgement (made with the function's reference) does not name.
   */
  private acknowledgeImportedFunction(host: ResponderHost): void {
    const policy = (host.stateMachine as { role?: iam.IRole }).role?.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    // The export CDK makes for the reference (exportValue gives the same one).
    const imported = Stack.of(this.service).exportValue(this.backend.request.function.functionArn);
    const findings = wildcardResourceFindings([{ Effect: 'Allow', Resource: Stack.of(policy).resolve(`${imported}:*`) }]);
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'CDK\'s Lambda tasks grant each function and its versions (ARN:*): here the approval service\'s request function.',
      appliesTo: findings,
    }]);
  }

  private publishPolicy(stack: Stack): iam.Policy {
    let policy = this.publish.get(stack);
    if (!policy) {
      policy = new iam.Policy(stack, `${this.service.node.id}PublishGrants${this.service.node.addr.slice(0, 8)}`, { roles: [this.backend.request.role] });
      this.publish.set(stack, policy);
    }
    return policy;
  }

  /** A gate reaches its service only within one app, account and region (CDK refers across stacks there, and only there). */
  private checkReachable(gate: Construct, gateName: string): void {
    const [gateStack, serviceStack] = [Stack.of(gate), Stack.of(this.service)];
    if (gate.node.root !== this.service.node.root) {
      throw new Error(`${gateName}: its service ${this.name} is in another app; give the gate a service of its own app`);
    }
    for (const [what, a, b] of [['region', gateStack.region, serviceStack.region], ['account', gateStack.account, serviceStack.account]] as const) {
      if (a !== b) {
        throw new Error(`${gateName}: its service ${this.name} is in stack ${serviceStack.stackName} (${what} ${shown(b)}), and the gate in stack `
          + `${gateStack.stackName} (${what} ${shown(a)}); a service serves the gates of its own account and region: give the gate a service there`);
      }
    }
  }

  private validate(): string[] {
    if (this.gates.length === 0) {
      Annotations.of(this.service).addWarningV2('cdk-workflow-patterns:approvalServiceUnused',
        `${this.name} serves no gate; give it to an ApprovalGate (service: ...), or remove it`);
    }
    const grants = [...this.delivery.values()];
    const workflows = grants.reduce((sum, g) => sum + g.size, 0);
    const weight = grants.reduce((sum, g) => sum + g.weight, 0);
    return weight > MAX_SERVICE_WORKFLOWS
      ? [`${this.name} answers ${workflows} workflows, more than its functions' roles can be granted (${MAX_SERVICE_WORKFLOWS}, a workflow given a name `
        + 'of yours counting 3: its grants name it exactly): IAM allows a role 10,240 characters of inline policy; give the gates of the others a second ApprovalService']
      : [];
  }
}

function shown(value: string): string {
  return value.startsWith('${Token') ? 'unresolved (environment-agnostic)' : value;
}

const links = new WeakMap<IConstruct, ServiceLink>();

export function registerService(service: IConstruct, link: ServiceLink): void {
  links.set(service, link);
}

/** The link of a service, or undefined when the value given is not an ApprovalService. */
export function linkOf(service: unknown): ServiceLink | undefined {
  return typeof service === 'object' && service !== null ? links.get(service as IConstruct) : undefined;
}
