/**
 * Reads a synthesized cloud assembly (cdk.out): its stacks, their state machines as concrete ASL,
 * and local runners for their Lambda functions (inline code, or the bundled asset).
 */
import * as fs from 'fs';
import * as path from 'path';
import { aslFromTemplate, Asl, CfnTemplate, placeholderFor, resolveIntrinsics, stateMachineIds } from './asl';
import { HarnessError } from './local-execution';
import type { TaskCall, TaskHandler } from './local-execution';

export interface AssemblyStateMachine {
  /** The stack's artifact id. */
  readonly stack: string;
  /** The state machine's logical id. */
  readonly logicalId: string;
  /** The construct path without its trailing `/Resource` parts, e.g. `MyStack/Orders`. */
  readonly path: string;
  readonly asl: Asl;
  readonly template: CfnTemplate;
}

interface Manifest { artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> }

/** Every stack template in the assembly, by artifact id. */
export function stackTemplates(assemblyDir: string): Record<string, CfnTemplate> {
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`no cloud assembly at ${assemblyDir} (${manifestFile} is missing): run 'cdk synth' first`);
  }
  const manifest: Manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const out: Record<string, CfnTemplate> = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      out[id] = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
    }
  }
  return out;
}

function cdkPath(template: CfnTemplate, logicalId: string): string {
  const resource = template.Resources?.[logicalId] as any;
  return String(resource?.Metadata?.['aws:cdk:path'] ?? logicalId).replace(/(\/Resource)+$/, '');
}

/** Every state machine in the assembly. */
export function stateMachinesIn(assemblyDir: string): AssemblyStateMachine[] {
  return Object.entries(stackTemplates(assemblyDir)).flatMap(([stack, template]) =>
    stateMachineIds(template).map(logicalId => ({
      stack,
      logicalId,
      path: cdkPath(template, logicalId),
      asl: aslFromTemplate(template, logicalId),
      template,
    })));
}

/**
 * Local handlers for every Lambda function of a template whose code is available offline (inline
 * `ZipFile` code, or a Node.js asset in the assembly), keyed by the placeholder ARN the ASL uses.
 */
export function localFunctions(assemblyDir: string, template: CfnTemplate): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const [file, exportName] = splitHandler(String(resource.Properties?.Handler ?? 'index.handler'));
    if (!hasCode(assemblyDir, resource, file)) continue;
    // The code is loaded when a task first reaches it, so a mocked or unused function is never loaded.
    let loaded: ((event: unknown, context: unknown) => unknown) | undefined;
    const env = functionEnvironment(resource, template);
    handlers[placeholderFor(logicalId, resource.Type, 'Arn')] = (event: unknown, call: TaskCall) => {
      if (!loaded) {
        let moduleExports: Record<string, unknown> | undefined;
        try {
          moduleExports = loadCode(assemblyDir, resource, file);
        } catch (e) {
          const missing = /Cannot find module '([^']+)'/.exec((e as Error).message)?.[1];
          throw new CodeLoadError(call.state, logicalId, missing
            ? `its code needs the module '${missing}', which is not installed here`
            : `its code could not be loaded (${(e as Error).message.split('\n')[0]})`);
        }
        const fn = moduleExports?.[exportName];
        if (typeof fn !== 'function') throw new CodeLoadError(call.state, logicalId, `its code has no function '${exportName}' to call`);
        loaded = fn as (event: unknown, context: unknown) => unknown;
      }
      // The function sees the environment variables the template gives it (references as placeholders).
      return withEnvironment(env, () => loaded!(event, { functionName: logicalId, awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 }));
    };
  }
  return handlers;
}

/** A Lambda function's code cannot run here: the run stops, naming the state, the function and the mock to add. */
export class CodeLoadError extends HarnessError {
  constructor(public readonly state: string, public readonly functionId: string, reason: string) {
    super(`state '${state}' calls the Lambda function ${functionId}, but ${reason}: mock the state instead (states['${state}'], or "states": { "${state}": { "result": ... } } in a mocks file)`, state);
    this.name = 'CodeLoadError';
  }
}

function hasCode(assemblyDir: string, resource: any, file: string): boolean {
  if (typeof resource.Properties?.Code?.ZipFile === 'string') return true;
  const assetPath = resource.Metadata?.['aws:asset:path'];
  return typeof assetPath === 'string' && ['.js', '.cjs', '.mjs'].some(ext => fs.existsSync(path.resolve(assemblyDir, assetPath, file + ext)));
}

/** A function's environment variables from its template, references resolved to placeholders. */
export function functionEnvironment(resource: any, template: CfnTemplate): Record<string, string> {
  const vars = resolveIntrinsics(resource.Properties?.Environment?.Variables ?? {}, template);
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Runs with variables set in `process.env`, restoring them afterwards (also when it throws). */
export async function withEnvironment<T>(env: Record<string, string>, run: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function splitHandler(handler: string): [string, string] {
  const i = handler.lastIndexOf('.');
  return [handler.slice(0, i), handler.slice(i + 1)];
}

function loadCode(assemblyDir: string, resource: any, file: string): Record<string, unknown> | undefined {
  const inline = resource.Properties?.Code?.ZipFile;
  if (typeof inline === 'string') {
    const module = { exports: {} as Record<string, unknown> };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('exports', 'require', 'module', inline)(module.exports, require, module);
    return module.exports;
  }
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string') {
    for (const ext of ['.js', '.cjs', '.mjs']) {
      const candidate = path.resolve(assemblyDir, assetPath, file + ext);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (fs.existsSync(candidate)) return require(candidate);
    }
  }
  return undefined;
}
