/**
 * The cloud-assembly helpers of src/testing/assembly.ts, and an in-process runner for the library's
 * own handler bundles, for the tests and the demo that drive the gate's handlers against
 * aws-sdk-client-mock (ApprovalSimulator): its stubs patch the AWS SDK of this process, which a sealed
 * worker (src/testing/function-sandbox.ts) does not share. Users' code never runs this way.
 */
import { createRequire } from 'module';
import * as path from 'path';
import { CfnTemplate, placeholderFor } from '../../src/testing/asl';
import { functionEnvironment } from '../../src/testing/assembly';
import type { TaskCall, TaskHandler } from '../../src/testing/local-execution';

export * from '../../src/testing/assembly';

/**
 * Handlers for the library's own functions of a template (assets whose bundle is in the assembly),
 * loaded into this process with its AWS SDK, each run with the variables its template gives it.
 */
export function inProcessFunctions(assemblyDir: string, template: CfnTemplate): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    const folder = resource.Type === 'AWS::Lambda::Function' ? resource.Metadata?.['aws:asset:path'] : undefined;
    if (typeof folder !== 'string') continue;
    const [file, exportName] = String(resource.Properties?.Handler ?? 'index.handler').split('.');
    const env = functionEnvironment(resource, template);
    const code = path.resolve(assemblyDir, folder, `${file}.js`);
    handlers[placeholderFor(logicalId, resource.Type, 'Arn')] = (event: unknown, _call: TaskCall) => {
      const fn = createRequire(code)(code)[exportName] as (event: unknown, context: unknown) => unknown;
      return withEnvironment(env, () => fn(event, { functionName: logicalId, awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 }));
    };
  }
  return handlers;
}

/** Runs with variables set in `process.env`, restoring them afterwards (also when it throws). */
export async function withEnvironment<T>(env: Record<string, string | undefined>, run: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
