/**
 * aws-local-stepfunctions, the test oracle (test/engine/differential.test.ts) and the benchmark's point
 * of comparison (bench section 4), loaded from a folder of its own (.tmp/oracle) where it is installed
 * on first use. It is not a dependency of this repository: version 3.0.0 (the only one the registry
 * holds) declares Node.js 22 and would warn on every `npm ci` under Node.js 20, where its code runs once
 * Promise.withResolvers is given (below).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ORACLE_VERSION = '3.0.0';
const ROOT = path.join(__dirname, '..', '..');
const PREFIX = path.join(ROOT, '.tmp', 'oracle');
const PACKAGE = path.join(PREFIX, 'node_modules', 'aws-local-stepfunctions');

/** Installs the oracle once (from the npm registry), then requires it. */
export function requireOracle(): any {
  const installed = fs.existsSync(path.join(PACKAGE, 'package.json'))
    && JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')).version === ORACLE_VERSION;
  if (!installed) {
    fs.mkdirSync(PREFIX, { recursive: true });
    execFileSync('npm', ['install', '--prefix', PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts',
      // Its engines field says Node.js 22; on Node.js 20 it runs with the polyfill below.
      '--engine-strict=false', '--loglevel=error', `aws-local-stepfunctions@${ORACLE_VERSION}`], { stdio: 'pipe', encoding: 'utf8' });
  }
  // aws-local-stepfunctions 3 calls Promise.withResolvers, which Node.js 20 lacks: the oracle alone needs it.
  const P = Promise as any;
  if (typeof P.withResolvers !== 'function') {
    P.withResolvers = function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(PACKAGE);
}
