import * as iam from 'aws-cdk-lib/aws-iam';
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
