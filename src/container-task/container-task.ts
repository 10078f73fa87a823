import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { checkProps } from '../private/prop-types';
import { declareQueryLanguage } from '../private/query-language';
import { requiredProps } from '../private/required';
import { retryProps } from '../private/retry';
import { checkRetryAttempts, checkTaskStateProps, refuseJsonPathInJsonata } from '../private/task-props';

/**
 * Properties for a `ContainerTask`.
 */
export interface ContainerTaskProps extends sfn.TaskStateBaseProps {
  /**
   * The Fargate task definition to run.
   */
  readonly taskDefinition: ecs.TaskDefinition;

  /**
   * The cluster to run in.
   * @default - a cluster in `vpc`, with Container Insights; one of `cluster` and `vpc` is required
   */
  readonly cluster?: ecs.ICluster;

  /**
   * The VPC of the cluster the task creates when no `cluster` is given.
   * @default - none: give `cluster` or `vpc`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The container the overrides are for.
   * @default - the task definition's default (first essential) container
   */
  readonly containerName?: string;

  /**
   * Environment variables for the container, from the state input (`sfn.JsonPath.stringAt('$.day')`,
   * or JSONata).
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * The container's command, replacing the image's.
   * @default - the image's command
   */
  readonly command?: string[];

  /**
   * Where the task's network interface goes.
   * @default - the private subnets with egress of the cluster's VPC
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * Give the task a public IP address (in public subnets, to pull its image without a NAT gateway).
   * @default false
   */
  readonly assignPublicIp?: boolean;

  /**
   * The task's security groups.
   * @default - a new security group with no inbound rule
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The Fargate platform version.
   * @default ecs.FargatePlatformVersion.LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;

  /**
   * Retries of a task that could not start (capacity, throttling, an ECS service error).
   * @default 3 retries, 10 seconds then doubling, full jitter
   */
  readonly retryAttempts?: number;
}

/**
 * A Task state that runs a container on AWS Fargate to its end (ECS `RunTask` with `.sync`), for
 * work longer than a Lambda function may take: a nightly report, a batch import, a build.
 *
 * The state input reaches the container as environment variables or a command. The task succeeds
 * when the container exits with 0, and fails with `States.TaskFailed` (the stopped task in the cause)
 * otherwise. Tasks that could not start for want of capacity, or because ECS throttled or failed,
 * are retried. The role may run this task definition's family, pass its two roles, and manage the
 * rule Step Functions uses to follow the task. Express workflows refuse it, as they refuse `.sync`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
 */
export class ContainerTask extends tasks.EcsRunTask {
  /**
   * The errors of a task that could not start and may start on a retry: ECS's service errors and
   * throttling, and `AmazonECS.Unknown` (RunTask's `Failures`, such as "Capacity is unavailable at
   * this time").
   */
  public static readonly START_ERRORS = ['ECS.AmazonECSException', 'ECS.ServerException', 'ECS.ThrottlingException', 'AmazonECS.Unknown'];

  /** The cluster the task runs in. */
  public readonly cluster: ecs.ICluster;

  constructor(scope: Construct, id: string, props: ContainerTaskProps) {
    const where = `ContainerTask '${id}'`;
    requiredProps(props, where, ['taskDefinition', 'cluster or vpc']);
    checkTaskStateProps(where, props);
    checkProps(where, 'ContainerTaskProps', props);
    checkRetryAttempts(where, props.retryAttempts);
    const jsonata = props.queryLanguage === sfn.QueryLanguage.JSONATA;
    for (const [name, value] of Object.entries(props.environment ?? {})) refuseJsonPathInJsonata(where, `environment.${name}`, value, jsonata);
    for (const part of props.command ?? []) refuseJsonPathInJsonata(where, 'command', part, jsonata);
    const taskDefinition = props.taskDefinition;
    if (!(taskDefinition instanceof ecs.TaskDefinition)) {
      throw new Error(`${where}: taskDefinition is required (got ${taskDefinition === undefined ? 'undefined' : typeof taskDefinition}); give an ecs.FargateTaskDefinition`);
    }
    if (!taskDefinition.isFargateCompatible) {
      throw new Error(`${where}: the task definition '${taskDefinition.node.path}' is not Fargate-compatible; give an ecs.FargateTaskDefinition (compatibility FARGATE)`);
    }
    if (props.cluster === undefined && props.vpc === undefined) {
      throw new Error(`${where}: the task has no network: give cluster (an ecs.Cluster) or vpc (the task creates a cluster in it)`);
    }
    if (props.cluster !== undefined && props.vpc !== undefined) {
      throw new Error(`${where}: give cluster or vpc, not both (the cluster's VPC is the task's)`);
    }
    if (props.integrationPattern !== undefined && props.integrationPattern !== sfn.IntegrationPattern.RUN_JOB) {
      throw new Error(`${where}: integrationPattern must be left out (got ${props.integrationPattern}); a container task runs its container to the end (.sync)`);
    }
    const container = props.containerName !== undefined ? taskDefinition.findContainer(props.containerName) : taskDefinition.defaultContainer;
    if (!container) {
      const names = taskDefinition.node.children
        .filter(c => c instanceof ecs.ContainerDefinition).map(c => (c as ecs.ContainerDefinition).containerName);
      throw new Error(props.containerName !== undefined
        ? `${where}: the task definition has no container '${props.containerName}' (its containers: ${names.join(', ') || 'none'})`
        : `${where}: the task definition has no container; add one (taskDefinition.addContainer) before the task`);
    }
    const vpc = props.cluster?.vpc ?? props.vpc!;
    const subnets = props.subnets ?? { subnetType: props.assignPublicIp ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS };
    try {
      vpc.selectSubnets(subnets);
    } catch (e) {
      throw new Error(`${where}: the VPC has no subnets for the task (${(e as Error).message}); the task needs a route out to pull its image: `
        + 'give subnets (a SubnetSelection of the VPC), or assignPublicIp: true to run in its public subnets');
    }
    const cluster = props.cluster ?? new ecs.Cluster(scope, `${id} Cluster`, { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const environment = Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value }));
    const {
      retryAttempts, containerName: _c, environment: _e, command, platformVersion, vpc: _v, cluster: _cl, timeout, heartbeat,
      assignPublicIp: _p, ...rest
    } = props;
    super(scope, id, {
      ...rest,
      taskTimeout: props.taskTimeout ?? sfn.Timeout.duration(timeout ?? Duration.hours(1)),
      ...(props.heartbeatTimeout ?? heartbeat ? { heartbeatTimeout: props.heartbeatTimeout ?? sfn.Timeout.duration(heartbeat!) } : {}),
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster,
      subnets,
      assignPublicIp: props.assignPublicIp,
      taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: platformVersion ?? ecs.FargatePlatformVersion.LATEST }),
      containerOverrides: environment.length > 0 || command !== undefined
        ? [{ containerDefinition: container, ...(environment.length > 0 ? { environment } : {}), ...(command !== undefined ? { command } : {}) }]
        : undefined,
    } as tasks.EcsRunTaskProps);
    this.cluster = cluster;
    const attempts = retryAttempts ?? 3;
    if (attempts > 0) {
      this.addRetry(retryProps(`${where}: retryAttempts`, { maxAttempts: attempts }, {
        errors: ContainerTask.START_ERRORS, interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2, maxDelay: Duration.minutes(2),
      }));
    }
    if (props.queryLanguage !== undefined) {
      declareQueryLanguage(this, props.queryLanguage, () => `${where} is JSONPath, and the state machine it is in is JSONata, where every state must be JSONata; give it queryLanguage: sfn.QueryLanguage.JSONATA`);
    }
  }
}
