/**
 * The published command: the bundle:cli task's single file runs on its own, with none of the
 * tool's dependencies installed next to it.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthExampleApp, tempDir } from './example-assembly';

const ROOT = path.join(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'lib', 'cli', 'cdk-workflow-patterns.js');

test('the bundle runs from a folder without node_modules: help, diagram and run', () => {
  execFileSync('npx', ['projen', 'bundle:cli'], { cwd: ROOT, stdio: 'pipe' });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.bin).toEqual({ 'cdk-workflow-patterns': 'lib/cli/cdk-workflow-patterns.js' });
  expect(fs.readFileSync(BUNDLE, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  // Executable where it is built (a fresh clone's `npx cdk-workflow-patterns`), not only once npm installs it.
  expect((fs.statSync(BUNDLE).mode % 0o1000).toString(8)).toMatch(/^[1357][1357][1357]$/);
  expect(spawnSync(BUNDLE, ['--help'], { encoding: 'utf8' }).stdout).toMatch(/^Usage: cdk-workflow-patterns <command>/);

  const dir = tempDir('bundle');
  const copy = path.join(dir, 'cdk-workflow-patterns.js');
  fs.copyFileSync(BUNDLE, copy);
  const assembly = synthExampleApp();
  const node = (...args: string[]) => spawnSync(process.execPath, [copy, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });

  const help = node('--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: cdk-workflow-patterns <command>/);

  const diagram = node('diagram', '--app', assembly, '--out', 'd');
  expect(diagram.stderr).toBe('');
  expect(fs.readdirSync(path.join(dir, 'd')).sort()).toEqual([
    'CheckoutExample-Checkout.mmd', 'CheckoutExample-Checkout.svg',
    'OrderWorkflowExample-OrderWorkflow.mmd', 'OrderWorkflowExample-OrderWorkflow.svg',
    'QuoteWorkflowExample-QuoteWorkflow.mmd', 'QuoteWorkflowExample-QuoteWorkflow.svg',
  ]);

  fs.writeFileSync(path.join(dir, 'quote.json'), JSON.stringify({ product: 'lamp', quantity: 150 }));
  const run = node('run', 'QuoteWorkflow', '--app', assembly, '--input', 'quote.json');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/Price quote\s+Task[\s\S]*Bulk order\?\s+Choice[\s\S]*Apply bulk discount\s+Pass/);
  const report = /\nreport: (.*)\n?$/.exec(run.stdout)![1];
  expect(report).toMatch(/^QuoteWorkflowExample-QuoteWorkflow\..*\.report\.html$/);
  expect(fs.existsSync(path.join(dir, report))).toBe(true);

  const missing = node('run', 'QuoteWorkflow', '--app', 'nowhere');
  expect(missing.status).toBe(1);
  expect(missing.stderr.trim()).toBe("cdk-workflow-patterns: no cloud assembly at nowhere (no manifest.json there): run 'cdk synth' first, or give its folder with --app");
});

test('the bundle carries no aws-cdk-lib: the command reads templates as JSON and never loads the CDK', () => {
  if (!fs.existsSync(BUNDLE)) execFileSync('npx', ['projen', 'bundle:cli'], { cwd: ROOT, stdio: 'pipe' });
  const text = fs.readFileSync(BUNDLE, 'utf8');
  // esbuild names each module it bundles in a comment.
  expect(text).not.toMatch(/^\/\/ node_modules\/(aws-cdk-lib|constructs)\//m);
  expect(text).toMatch(/^\/\/ node_modules\/jsonata\//m);
});

test('the bundle serves the local endpoint from a folder without node_modules, until SIGTERM', async () => {
  if (!fs.existsSync(BUNDLE)) execFileSync('npx', ['projen', 'bundle:cli'], { cwd: ROOT, stdio: 'pipe' });
  const dir = tempDir('bundle-serve');
  const copy = path.join(dir, 'cdk-workflow-patterns.js');
  fs.copyFileSync(BUNDLE, copy);
  const child = spawn(process.execPath, [copy, 'serve', '--app', synthExampleApp(), '--port', '0'], { cwd: dir, env: { PATH: process.env.PATH } });
  let out = '';
  child.stdout.on('data', chunk => {
    out += String(chunk);
  });
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  while (!out.includes('try: ')) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  const endpoint = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
  const res = await fetch(endpoint, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, body: '{}' });
  expect(((await res.json()) as any).stateMachines.map((m: any) => m.name.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['Checkout', 'OrderWorkflow', 'QuoteWorkflow']);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(out.trim().split('\n').pop()).toBe('stopped');
}, 60_000);
