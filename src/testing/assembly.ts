/**
 * Reads a synthesized cloud assembly (cdk.out): its stacks, their state machines as concrete ASL,
 * and local runners for their Lambda functions (inline code, or the bundled asset).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { aslFromTemplate, Asl, CfnTemplate, linkExports, linkNested, placeholderFor, resolveIntrinsics, stateMachineIds } from './asl';
import type { FunctionCode, FunctionSandbox } from './function-sandbox';
import { HarnessError } from './local-execution';
import type { TaskHandler } from './local-execution';

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

interface Manifest { artifacts?: Record<string, { type: string; properties?: { templateFile?: string; file?: string } }> }

function readManifest(assemblyDir: string): Manifest {
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`no cloud assembly at ${assemblyDir} (${manifestFile} is missing): run 'cdk synth' first`);
  }
  return JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
}

/** Every stack template in the assembly, by artifact id; a nested stack's as `<parent id>/<its logical id>`. */
export function stackTemplates(assemblyDir: string): Record<string, CfnTemplate> {
  const manifest = readManifest(assemblyDir);
  const out: Record<string, CfnTemplate> = {};
  const assets = assetFolders(assemblyDir);
  const addNested = (parentId: string, parent: CfnTemplate): void => {
    const nested = new Map<string, CfnTemplate>();
    for (const [logicalId, resource] of Object.entries<any>(parent.Resources ?? {})) {
      if (resource.Type !== 'AWS::CloudFormation::Stack') continue;
      // Its template is a file asset of the assembly, named by the object key its TemplateURL ends with.
      const key = /([0-9a-f]{64}\.json)$/.exec(JSON.stringify(resource.Properties?.TemplateURL ?? '').replace(/"\W*$/, ''))?.[1];
      const file = resource.Metadata?.['aws:asset:path'] ?? (key ? assets.get(key) : undefined);
      if (typeof file !== 'string' || !fs.existsSync(path.join(assemblyDir, file))) continue;
      const template: CfnTemplate = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8'));
      nested.set(logicalId, template);
      out[`${parentId}/${logicalId}`] = template;
      addNested(`${parentId}/${logicalId}`, template);
    }
    if (nested.size > 0) linkNested(parent, nested);
  };
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      out[id] = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
      addNested(id, out[id]);
    }
  }
  // A stack may refer to another's resources (a shared ApprovalService's function): through its exports.
  linkExports(Object.values(out));
  return out;
}

function cdkPath(template: CfnTemplate, logicalId: string): string {
  const resource = template.Resources?.[logicalId] as any;
  return String(resource?.Metadata?.['aws:cdk:path'] ?? logicalId).replace(/(\/Resource)+$/, '');
}

/** An S3 bucket of the app, as a local run names it. */
export interface AppBucket {
  /** Its construct path, e.g. `MyStack/Orders/Results`. */
  readonly path: string;
  /** Its name in a local run's S3 (what the state machines' definitions refer to). */
  readonly name: string;
  /** The folder that holds it in a `--s3` folder: its construct path with `/` as `-` (`MyStack-Orders-Results`). */
  readonly folder: string;
}

/** A file-system-safe name for a construct path: `/` and anything unusual as `-`. */
export function pathSlug(constructPath: string): string {
  return constructPath.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Every S3 bucket the templates define. */
export function appBuckets(templates: Record<string, CfnTemplate>): AppBucket[] {
  return Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r?.Type === 'AWS::S3::Bucket').map(([logicalId]) => {
      const constructPath = cdkPath(template, logicalId);
      return {
        path: constructPath,
        name: placeholderFor(logicalId, 'AWS::S3::Bucket'),
        folder: pathSlug(constructPath === logicalId ? `${stack}/${logicalId}` : constructPath),
      };
    }));
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
 * The state machine a name designates: its construct path (`MyStack/Orders`), its logical id, or,
 * when only one state machine matches it, the id of any construct on its path (`Orders`).
 * Throws a {@link HarnessError} that lists the state machines otherwise.
 */
export function findStateMachine(machines: AssemblyStateMachine[], name: string, where: string): AssemblyStateMachine {
  const exact = machines.filter(m => m.path === name || m.logicalId === name || `${m.stack}/${m.logicalId}` === name);
  const byLast = machines.filter(m => m.path.split('/').pop() === name);
  const byId = machines.filter(m => m.path.split('/').slice(1).includes(name));
  const matches = [exact, byLast, byId].find(found => found.length > 0) ?? [];
  if (matches.length === 1) return matches[0];
  const list = machines.map(m => `  ${m.path} (logical id ${m.logicalId})`).join('\n');
  if (matches.length > 1) throw new HarnessError(`'${name}' names ${matches.length} state machines in ${where}; give the construct path of one:\n${list}`);
  // Construct paths come from the templates' aws:cdk:path metadata, which the CDK CLI asks for and a plain App does not.
  const pathless = machines.length > 0 && machines.every(m => m.path === m.logicalId);
  const why = pathless && name.includes('/')
    ? '; its templates hold no construct paths (the CDK CLI adds them; in a test, synthesize with new App({ context: { \'aws:cdk:enable-path-metadata\': true } })), '
      + 'so give the logical id, or Stack/LogicalId'
    : '';
  throw new HarnessError(`no state machine '${name}' in ${where}${why}; the state machines there are:\n${list}`);
}

/**
 * Local handlers for every Lambda function of a template whose code is available offline (inline
 * `ZipFile` code, or a Node.js asset in the assembly), keyed by the placeholder ARN the ASL uses.
 * Each runs sealed in the run's `sandbox` (see function-sandbox.ts); the library's own functions get
 * the sandbox's offline AWS services in place of the AWS SDK.
 */
export function localFunctions(assemblyDir: string, template: CfnTemplate, sandbox: FunctionSandbox): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  const assets = assetFolders(assemblyDir);
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const [file, exportName] = splitHandler(String(resource.Properties?.Handler ?? 'index.handler'));
    const code = codeOf(assemblyDir, resource, file, assets);
    if (!code) continue;
    // The code is loaded when a task first reaches it, so a mocked or unused function is never loaded.
    handlers[placeholderFor(logicalId, resource.Type, 'Arn')] = sandbox.handler({
      logicalId,
      code,
      exportName,
      environment: functionEnvironment(resource, template),
      timeoutSeconds: numberOr(resource.Properties?.Timeout, 3),
      memoryMb: numberOr(resource.Properties?.MemorySize, 128),
      offlineSdk: 'file' in code && isLibraryBundle(code.file),
    });
  }
  return handlers;
}

const numberOr = (value: unknown, fallback: number) => (typeof value === 'number' && value > 0 ? value : fallback);

/** The assembly's file assets, by the S3 key a function's `Code` names: their folders in the assembly. */
function assetFolders(assemblyDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const artifact of Object.values(readManifest(assemblyDir).artifacts ?? {})) {
    if (artifact.type !== 'cdk:asset-manifest' || !artifact.properties?.file) continue;
    const assets = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.file), 'utf8'));
    for (const asset of Object.values<any>(assets.files ?? {})) {
      for (const destination of Object.values<any>(asset.destinations ?? {})) {
        if (typeof asset.source?.path === 'string') out.set(String(destination.objectKey), asset.source.path);
      }
    }
  }
  return out;
}

function codeOf(assemblyDir: string, resource: any, file: string, assets: Map<string, string>): FunctionCode | undefined {
  const inline = resource.Properties?.Code?.ZipFile;
  if (typeof inline === 'string') return { inline };
  // The asset's folder: from the resource's metadata (the CDK CLI adds it), or from the asset manifest.
  const s3Key = resource.Properties?.Code?.S3Key;
  const folder = resource.Metadata?.['aws:asset:path'] ?? (typeof s3Key === 'string' ? assets.get(s3Key) : undefined);
  if (typeof folder !== 'string') return undefined;
  for (const ext of ['.js', '.cjs']) {
    const candidate = path.resolve(assemblyDir, folder, file + ext);
    if (fs.existsSync(candidate)) return { file: candidate };
  }
  return undefined;
}

/** The digests of the library's own handler bundles (assets/), to recognise their copies in an assembly. */
let ownBundles: Set<string> | undefined;
/** What is known of each asset file (its folder's name is its content's hash, so it never changes). */
const bundleOfFile = new Map<string, boolean>();
function isLibraryBundle(file: string): boolean {
  if (!ownBundles) {
    const root = path.resolve(__dirname, '..', '..', 'assets');
    ownBundles = new Set(fs.existsSync(root)
      ? fs.readdirSync(root, { recursive: true, withFileTypes: true })
        .filter(e => e.isFile() && e.name.endsWith('.js'))
        .map(e => digest(fs.readFileSync(path.join(e.parentPath, e.name))))
      : []);
  }
  const folder = path.basename(path.dirname(file));
  const key = folder.startsWith('asset.') ? `${folder}/${path.basename(file)}` : file;
  if (!bundleOfFile.has(key)) bundleOfFile.set(key, ownBundles.has(digest(fs.readFileSync(file))));
  return bundleOfFile.get(key)!;
}

const digest = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** A function's environment variables from its template, references resolved to placeholders. */
export function functionEnvironment(resource: any, template: CfnTemplate): Record<string, string> {
  const vars = resolveIntrinsics(resource.Properties?.Environment?.Variables ?? {}, template);
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function splitHandler(handler: string): [string, string] {
  const i = handler.lastIndexOf('.');
  return [handler.slice(0, i), handler.slice(i + 1)];
}
