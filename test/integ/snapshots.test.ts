/**
 * The integration tests' snapshot check, as `integ-runner --dry-run` makes it, in-process: each
 * integ/integ.*.ts app is synthesized with the context and environment integ-runner gives it, and
 * every template of its test cases must equal the committed snapshot's, asset hashes aside.
 * `npx projen integ` runs integ-runner itself; `npx projen integ:update` refreshes the snapshots.
 */
import * as fs from 'fs';
import * as path from 'path';
import { canonicalTemplate, integApps, integTemplates, synthIntegApp } from '../support/integ-snapshot';

const INTEG_DIR = path.join(__dirname, '..', '..', 'integ');

describe('integ snapshots', () => {
  const apps = integApps(INTEG_DIR);

  test('every integ test has a committed snapshot', () => {
    expect(apps.length).toBeGreaterThanOrEqual(6);
    for (const app of apps) {
      expect(fs.existsSync(`${app}.snapshot`) ? app : `no snapshot for ${app}`).toBe(app);
    }
  });

  test.each(apps.map(app => [path.basename(app), app]))('%s synthesizes to its committed snapshot', (_name, app) => {
    const actual = integTemplates(synthIntegApp(app));
    const expected = integTemplates(`${app}.snapshot`);
    expect(actual.testCases).toEqual(expected.testCases);
    expect(Object.keys(actual.templates).sort()).toEqual(Object.keys(expected.templates).sort());
    for (const stack of Object.keys(expected.templates)) {
      expect({ stack, template: canonicalTemplate(actual.templates[stack], actual.assets[stack]) })
        .toEqual({ stack, template: canonicalTemplate(expected.templates[stack], expected.assets[stack]) });
    }
  });

  describe('the check is as strict as integ-runner', () => {
    const app = apps.find(a => a.endsWith('integ.approval-gate.ts'))!;
    const expected = integTemplates(`${app}.snapshot`);
    const stack = 'ApprovalGateInteg';

    test('fails when a property of a resource changes', () => {
      const changed = JSON.parse(JSON.stringify(expected.templates[stack]));
      const [logicalId] = Object.entries<any>(changed.Resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')!;
      changed.Resources[logicalId].Properties.StateMachineType = 'EXPRESS';
      const assets = expected.assets[stack];
      expect(canonicalTemplate(changed, assets)).not.toEqual(canonicalTemplate(expected.templates[stack], assets));
    });

    test('ignores a changed asset hash, as integ-runner does without diffAssets', () => {
      const template = expected.templates[stack];
      const assets = expected.assets[stack];
      expect(assets.length).toBeGreaterThan(0);
      const hash = assets.find(a => JSON.stringify(template).includes(a))!;
      expect(hash).toBeDefined();
      const other = 'f'.repeat(64);
      const moved = JSON.parse(JSON.stringify(template).split(hash).join(other));
      expect(canonicalTemplate(moved, assets.map(a => (a === hash ? other : a))))
        .toEqual(canonicalTemplate(template, assets));
    });
  });
});
