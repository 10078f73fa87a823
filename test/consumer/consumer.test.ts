/**
 * The library as a user meets it: the packed tarball installed in a new folder with only what a user
 * installs (aws-cdk-lib, constructs, the CDK CLI, jest, TypeScript, cdk-nag; then Vitest), and a project
 * (test/consumer/project) whose stack holds every construct. Its own tests use the public testing
 * toolkit only (`cdk-workflow-patterns/testing`); its `cdk synth` output goes through the command.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { installInNewFolder, packLibrary, ROOT } from '../support/package';

const devVersion = (name: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
const PROJECT = path.join(__dirname, 'project');
/** The newest Vitest that runs on Node.js 20. */
const VITEST = '4.1.12';

/** What a user installs, in the versions this repository is tested with. */
const PACKAGES = ['aws-cdk-lib', 'constructs', 'aws-cdk', 'jest', '@types/jest', 'typescript', '@types/node', 'cdk-nag', '@aws-sdk/client-sfn']
  .map(p => `${p}@${devVersion(p)}`);

interface Result { status: number | null; out: string }

/** The testing toolkit's complete example (docs/testing.md): the code block after its marker. */
function readmeExample(): string {
  const page = fs.readFileSync(path.join(ROOT, 'docs', 'testing.md'), 'utf8');
  const block = page.match(/<!-- test\/consumer runs this example[^>]*-->\n```js\n([\s\S]*?)```/);
  if (!block) throw new Error('docs/testing.md: the testing toolkit\'s complete example (after its test/consumer marker) is missing');
  return block[1];
}

/** The README's complete app: its stack (the ts block after `lib/purchases-stack.ts`) and its test (after its marker). */
function readmeApp(): { stack: string; test: string } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const stack = readme.match(/`lib\/purchases-stack\.ts`:\n\n```ts\n([\s\S]*?)```/);
  const test = readme.match(/<!-- test\/consumer runs this test[^>]*-->\n```js\n([\s\S]*?)```/);
  if (!stack || !test) throw new Error('README.md: the complete app (lib/purchases-stack.ts) or its test (after its test/consumer marker) is missing');
  return { stack: stack[1], test: test[1] };
}

describe('a user\'s CDK project with the packed library', () => {
  let dir: string;
  const run = (command: string, args: string[]): Result => {
    const r = spawnSync(process.execPath, [path.join(dir, 'node_modules', command), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', NODE_OPTIONS: '' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const cli = (...args: string[]) => run('cdk-workflow-patterns/lib/cli/cdk-workflow-patterns.js', args);

  beforeAll(() => {
    dir = installInNewFolder('consumer', [packLibrary(), ...PACKAGES]);
    fs.cpSync(PROJECT, dir, { recursive: true });
    // The README's complete example of the testing toolkit is one of the project's test files.
    fs.writeFileSync(path.join(dir, 'test', 'readme-example.spec.ts'), readmeExample());
    // And the README's complete app and its test, as a new user copies them.
    const app = readmeApp();
    fs.writeFileSync(path.join(dir, 'lib', 'purchases-stack.ts'), app.stack);
    fs.writeFileSync(path.join(dir, 'test', 'purchases.spec.ts'), app.test);
  }, 300_000);

  test('its TypeScript compiles against the published types (NodeNext and node10 resolution)', () => {
    const nodeNext = run('typescript/bin/tsc', ['-p', '.']);
    expect(nodeNext.out).toBe('');
    expect(nodeNext.status).toBe(0);
    const node10 = run('typescript/bin/tsc', ['-p', '.', '--noEmit', '--module', 'commonjs', '--moduleResolution', 'node10']);
    expect(node10.out).toBe('');
    expect(node10.status).toBe(0);
  }, 120_000);

  test('cdk synth synthesizes its app', () => {
    const synth = run('aws-cdk/bin/cdk', ['synth', '--app', 'node dist/bin/app.js', '--output', 'cdk.out', '--quiet', '--no-notices']);
    expect(synth.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'cdk.out', 'Shop.template.json'))).toBe(true);
  }, 120_000);

  test('its own tests pass: every construct\'s main paths, through the testing toolkit', () => {
    const report = path.join(dir, 'jest-results.json');
    const tests = run('jest/bin/jest.js', ['--ci', '--json', `--outputFile=${report}`]);
    const results = JSON.parse(fs.readFileSync(report, 'utf8'));
    const failures = results.testResults.flatMap((f: any) => f.assertionResults.filter((a: any) => a.status !== 'passed')
      .map((a: any) => `${a.fullName}: ${a.failureMessages.join('\n').split('\n').slice(0, 12).join('\n')}`));
    expect(failures).toEqual([]);
    expect(tests.status).toBe(0);
    // The project's tests, the toolkit example's three and the README app's two, each run: none skipped or lost.
    expect(results.numPassedTests).toBe(26);
    expect(results.testResults.map((f: any) => path.basename(f.name)).sort())
      .toEqual(['purchases.spec.js', 'readme-example.spec.js', 'shop.spec.js', 'work-anywhere.spec.js']);
  }, 300_000);

  test('the toolkit under Vitest, imported as an ES module', () => {
    // Vitest is not a dependency of this repository: the version that runs on Node.js 20.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error', `vitest@${VITEST}`],
      { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
    const report = path.join(dir, 'vitest-results.json');
    const tests = run('vitest/vitest.mjs', ['run', '--reporter=json', `--outputFile=${report}`]);
    const results = JSON.parse(fs.readFileSync(report, 'utf8'));
    const failures = results.testResults.flatMap((f: any) => [f.message, ...f.assertionResults.filter((a: any) => a.status !== 'passed')
      .map((a: any) => `${a.fullName}: ${a.failureMessages.join('\n').split('\n').slice(0, 12).join('\n')}`)]).filter(Boolean);
    expect(failures).toEqual([]);
    expect(tests.status).toBe(0);
    expect(results.numPassedTests).toBe(2);
  }, 300_000);

  test('the local Step Functions endpoint from plain JavaScript: in-process and through the installed command', () => {
    const r = spawnSync(process.execPath, ['scripts/endpoint-check.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?trace-warnings[^\n]*\n/g, '')).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.inProcess).toEqual({
      machines: expect.arrayContaining(['Purchases', 'Quotes', 'Shipping']),
      quote: { status: 'SUCCEEDED', output: { orderId: 'q-1', quantity: 2, total: 25 } },
      purchase: 'SUCCEEDED',
      missing: 'ExecutionDoesNotExist',
    });
    expect(result.misspelled).toBe("Error: startLocalStepFunctions: 'prot' is not an option (did you mean 'port'?); the options are "
      + 'app, port, host, mocks, s3, time, httpEndpoints, activityPollSeconds');
    expect(result.command).toEqual({ machines: result.inProcess.machines.length, exit: 0, last: 'stopped' });
  }, 120_000);

  describe('the command, on its cdk synth output', () => {
    test('runs the StockTradingWorkflow by its construct id, its gate decided by callbacks alone, and writes the result', () => {
      const r = cli('run', 'Trades', '--input', 'mocks/trade.json', '--mocks', 'mocks/approved.json', '--json', 'trade-run.json', '--report', 'trade.html');
      expect(r.out).toContain('Shop/Trades/Workflow: SUCCEEDED');
      expect(r.out).toMatch(/Execute trade\s+Task/);
      expect(r.status).toBe(0);
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'trade-run.json'), 'utf8'));
      expect(json).toMatchObject({ status: 'SUCCEEDED', transitions: 9 });
      expect(json.events[0].type).toBe('ExecutionStarted');
      expect(fs.readFileSync(path.join(dir, 'trade.html'), 'utf8')).toContain('id="status">SUCCEEDED<');
    });

    test('runs the inline fan-out, each iteration with its own input, output and error', () => {
      fs.writeFileSync(path.join(dir, 'parcels.json'), JSON.stringify({ parcels: [{ id: 'p1' }, {}, { id: 'p3' }] }));
      const r = cli('run', 'Shipping', '--input', 'parcels.json');
      expect(r.status).toBe(0);
      const rows = r.out.split('\n').filter(l => /^\d+\s/.test(l));
      const invoke = rows.filter(l => /\bTask\b/.test(l));
      expect(invoke).toHaveLength(3);
      expect(invoke[0]).toContain('{"id":"p1"}');
      expect(invoke[1]).toContain('InvalidParcel');
      expect(invoke[2]).toContain('{"id":"p3"}');
    });

    test('draws every state machine', () => {
      const r = cli('diagram', '--out', 'diagrams');
      expect(r.status).toBe(0);
      expect(r.out.split('\n').filter(l => l.endsWith('.svg'))).toHaveLength(8);
    });

    test('a gate with no decision: a clear message naming the state and the fix, no stack trace', () => {
      fs.writeFileSync(path.join(dir, 'order.json'), JSON.stringify({ orderId: 'o-1', quantity: 2 }));
      const r = cli('run', 'Purchases', '--input', 'order.json');
      expect(r.status).toBe(1);
      expect(r.out.trim()).toBe("cdk-workflow-patterns: state 'Approve purchase' waits for a task token (arn:aws:states:::lambda:invoke.waitForTaskToken) "
        + 'and has no decision: add "callbacks": { "Approve purchase": { "success": {...} } } (or "failure") to the mocks file');
    });
  });
});
