/**
 * The library as npm publishes it: the tarball `npm pack` makes from the compiled library (lib/,
 * .jsii, assets/), and folders where it is installed as a user installs it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');

/** Fails unless the library has been compiled (jsii) since its sources last changed. */
export function expectCompiledLibrary(): void {
  const missing = ['lib/index.js', '.jsii', 'lib/cli/cdk-workflow-patterns.js'].filter(f => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length > 0) {
    throw new Error(`the library is not compiled (missing ${missing.join(', ')}): run 'npx projen compile' (npm test does it first)`);
  }
}

/** A new temporary folder. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cwp-${prefix}-`));
}

/** Packs the compiled library into a new temporary folder; returns the tarball's path. */
export function packLibrary(): string {
  expectCompiledLibrary();
  const dir = tempDir('pack');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  return path.join(dir, JSON.parse(out)[0].filename);
}

/**
 * Installs packages into a new folder with only them (no dev dependency of this repository), the
 * packed library among them; returns the folder.
 */
export function installInNewFolder(prefix: string, packages: string[]): string {
  const dir = tempDir(prefix);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `${prefix}-check`, private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error', ...packages],
    { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
  return dir;
}
