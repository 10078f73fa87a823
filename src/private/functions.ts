import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** A role for one of the library's functions; what it may reach is granted one by one. */
export function functionRole(scope: Construct, id: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

/** A function's own log group, which only its role may write to. */
export function functionLogs(scope: Construct, id: string, role: iam.IRole, retention: logs.RetentionDays): logs.LogGroup {
  const group = new logs.LogGroup(scope, id, { retention });
  group.grantWrite(role);
  return group;
}

/**
 * The newest Node.js runtime the installed aws-cdk-lib names (it names a runtime once Lambda offers
 * it): the library's functions follow it, so that cdk-nag's AwsSolutions-L1 (the latest runtime of
 * the family) holds on every aws-cdk-lib of the peer range. Their bundles are built for the oldest
 * they may get: Node.js 24, the newest the lowest supported aws-cdk-lib names.
 */
export function newestNodeRuntime(): lambda.Runtime {
  let newest: { runtime: lambda.Runtime; major: number } | undefined;
  // The runtimes aws-cdk-lib declares (its static members), not ones an app made up with `new Runtime(...)`.
  for (const key of Object.getOwnPropertyNames(lambda.Runtime)) {
    const runtime = (lambda.Runtime as unknown as Record<string, unknown>)[key];
    if (!(runtime instanceof lambda.Runtime) || runtime.family !== lambda.RuntimeFamily.NODEJS) continue;
    const major = Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1]);
    if (major && (!newest || major > newest.major)) newest = { runtime, major };
  }
  return newest?.runtime ?? lambda.Runtime.NODEJS_24_X;
}

/** One of the library's bundled functions, on the newest Node.js runtime of the installed aws-cdk-lib. */
export function onNewestNodeRuntime<T extends lambda.Function>(fn: T): T {
  (fn.node.defaultChild as lambda.CfnFunction).runtime = newestNodeRuntime().name;
  return fn;
}
