import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** One Lambda function per entry of inline Node.js code, named by its key (the examples' small functions). */
export function inlineFunctions<K extends string>(scope: Construct, code: Record<K, string>): Record<K, lambda.Function> {
  return Object.fromEntries(Object.entries<string>(code).map(([name, source]) => [name, new lambda.Function(scope, name, {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(source),
    timeout: Duration.seconds(10),
  })])) as Record<K, lambda.Function>;
}
