/**
 * What `integ-runner --dry-run` does with an integ test, without a CDK CLI and ts-node process per
 * synth: synthesize the app with the context and environment integ-runner gives it, read the
 * templates of a cloud assembly, and put them in the normal form integ-runner compares (asset
 * hashes numbered in the order of the stack's asset manifest).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The files integ-runner takes for integ tests with `--language typescript`. */
const INTEG_FILE = /^integ\.(?!.*\.d\.ts$).*\.ts$/;

/** The environment integ-runner synthesizes with (its DEFAULT_SYNTH_OPTIONS.env). */
const INTEG_ENV: Record<string, string> = {
  CDK_INTEG_ACCOUNT: '12345678',
  CDK_INTEG_REGION: 'test-region',
  CDK_INTEG_HOSTED_ZONE_ID: 'Z23ABC4XYZL05B',
  CDK_INTEG_HOSTED_ZONE_NAME: 'example.com',
  CDK_INTEG_DOMAIN_NAME: '*.example.com',
  CDK_INTEG_CERT_ARN: 'arn:aws:acm:test-region:12345678:certificate/86468209-a272-595d-b831-0efb6421265z',
  CDK_INTEG_SUBNET_ID: 'subnet-0dff1a399d8f6f92c',
};

/**
 * The context integ-runner synthesizes with: the feature flags it recommends (shipped with it) and
 * no target partitions.
 */
function integContext(): Record<string, unknown> {
  const flags = require.resolve('@aws-cdk/integ-runner/lib/recommended-feature-flags.json');
  const context = JSON.parse(fs.readFileSync(flags, 'utf8'));
  delete context['@aws-cdk/core:target-partitions'];
  return context;
}

/** The integ test apps of a folder, as full paths. */
export function integApps(dir: string): string[] {
  return fs.readdirSync(dir).filter(f => INTEG_FILE.test(f)).sort().map(f => path.join(dir, f));
}

/**
 * Synthesizes an integ test app in this process into a new temporary folder, as the CDK CLI would
 * run it for integ-runner (context and output folder passed in the environment); returns the folder.
 */
export function synthIntegApp(file: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cwp-integ-${path.basename(file, '.ts')}-`));
  const saved = { ...process.env };
  Object.assign(process.env, INTEG_ENV, { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(integContext()) });
  try {
    // Each app is its own module: requiring it runs it once. The modules it shares with the other
    // apps (aws-cdk-lib, the library) are loaded once, as they are stateless across apps.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  } finally {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
  }
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
    throw new Error(`${path.basename(file)} wrote no cloud assembly to ${outdir} (does it call app.synth()?)`);
  }
  return outdir;
}

/** The test cases, templates and asset ids of a cloud assembly (a snapshot folder or a synth output). */
export interface IntegAssembly {
  /** The test cases of `integ.json`. */
  readonly testCases: unknown;
  /** Every stack template, by artifact id. */
  readonly templates: Record<string, any>;
  /** The asset ids of each stack, in the order of its asset manifest. */
  readonly assets: Record<string, string[]>;
}

/** Reads a cloud assembly as integ-runner does for its snapshot comparison. */
export function integTemplates(dir: string): IntegAssembly {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const manifest = read('manifest.json');
  const templates: Record<string, any> = {};
  const assets: Record<string, string[]> = {};
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    templates[id] = read(artifact.properties.templateFile);
    const assetFile = `${id}.assets.json`;
    assets[id] = fs.existsSync(path.join(dir, assetFile))
      ? [...Object.keys(read(assetFile).files ?? {}), ...Object.keys(read(assetFile).dockerImages ?? {})]
      : [];
  }
  return { testCases: read('integ.json').testCases, templates, assets };
}

/**
 * A template with its asset hashes replaced by `Asset1`, `Asset2`... in the order of the given asset
 * ids: integ-runner's normal form (`canonicalizeTemplate`), so that only a change of what the
 * template says fails, not a rebuilt handler bundle. integ-runner leaves the assertion stacks out of
 * its comparison; they are compared here too, except the `salt` of their assertions (the time of
 * the synth, which makes CloudFormation run them again on every deployment).
 */
export function canonicalTemplate(template: unknown, assets: string[] = []): unknown {
  const substitutions = [...new Set(assets)].map((asset, i) => [new RegExp(asset), `Asset${i + 1}`] as const);
  const sub = (s: string) => substitutions.reduce((acc, [re, to]) => acc.replace(re, to), s);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [sub(k), walk(v)]));
    }
    return typeof node === 'string' ? sub(node) : node;
  };
  const canonical = walk(template) as any;
  for (const resource of Object.values<any>(canonical?.Resources ?? {})) {
    if (String(resource.Type).startsWith('Custom::DeployAssert@') && resource.Properties?.salt !== undefined) {
      resource.Properties.salt = '<synth time>';
    }
  }
  return canonical;
}
