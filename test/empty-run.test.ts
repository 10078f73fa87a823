/**
 * A test run that finds no test fails: a broken testMatch must not pass CI with zero tests.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

test('npm test runs jest without --passWithNoTests', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
  const jest = tasks.test.steps.find((s: any) => s.execArgs?.[0] === 'jest');
  expect(jest.execArgs).toContain('--ci');
  expect(jest.execArgs).not.toContain('--passWithNoTests');
});

test('fails when jest finds no test', () => {
  const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'jest'), ['--ci', '--coverage=false', '--testPathPatterns', 'no-test-has-this-name'],
    { cwd: ROOT, encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stdout + run.stderr).toMatch(/No tests found/);
});
