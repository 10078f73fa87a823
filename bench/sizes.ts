/**
 * Size: every Lambda handler (src/**\/*.lambda.ts) bundled and minified as projen bundles it (AWS
 * SDK v3 external, provided by the Lambda runtime), its module-load time in a fresh Node.js process
 * (the SDK resolved from node_modules, as the runtime has it), and the packed npm tarball.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Summary, summarize } from './stats';
import { ROOT } from './synth';

export interface HandlerSize {
  readonly handler: string;
  readonly bytes: number;
  readonly loadMs: Summary;
}

function handlers(dir = path.join(ROOT, 'src')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return handlers(full);
    return e.name.endsWith('.lambda.ts') ? [full] : [];
  }).sort();
}

/** Milliseconds to require the file, measured inside a fresh process. */
function loadOnce(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1' } });
  if (child.status !== 0) throw new Error(`loading ${file} failed:\n${child.stderr}`);
  return Number(child.stdout);
}

export function measureHandlers(loads: number): HandlerSize[] {
  const out = path.join(ROOT, '.tmp', 'bench', 'handlers');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  return handlers().map(source => {
    const handler = path.relative(path.join(ROOT, 'src'), source).replace(/\.ts$/, '');
    const file = path.join(out, `${handler.replace(/[\\/]/g, '-')}.js`);
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
      path.relative(ROOT, source), '--bundle', '--minify', '--target=node24', '--platform=node', '--tsconfig=tsconfig.dev.json',
      '--external:@aws-sdk/*', `--outfile=${file}`, '--log-level=warning',
    ], { cwd: ROOT, stdio: 'inherit' });
    const times = Array.from({ length: loads }, () => loadOnce(file));
    return { handler, bytes: fs.statSync(file).size, loadMs: summarize(times) };
  });
}

export interface TarballSize {
  readonly bytes: number;
  readonly unpackedBytes: number;
  readonly files: number;
}

/** The npm tarball (`npm pack --dry-run`): needs lib/ compiled by jsii (`npx projen compile`). */
export function measureTarball(compile: boolean): TarballSize | undefined {
  if (compile) execFileSync('npx', ['projen', 'compile'], { cwd: ROOT, stdio: 'inherit' });
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) return undefined;
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pack] = JSON.parse(json);
  return { bytes: pack.size, unpackedBytes: pack.unpackedSize, files: pack.entryCount };
}
