/**
 * Runs cdk-nag's AwsSolutions pack on the scenario app, in a folder where the packed library, an
 * aws-cdk-lib and a cdk-nag are installed as a user installs them, the way each cdk-nag major
 * version is meant to be run:
 * - v2: an aspect on the app; findings are error and warning annotations.
 * - v3: a policy validation plugin (`Validations.of(app).addPlugins`); findings are violations, and
 *   synthesis fails when there are any.
 * Prints `{ cdkNag, awsCdkLib, findings, control }` as JSON (control: the findings on a stack that
 * has one, to show the pack ran). Findings on the user's own resources (the scenario's functions and
 * bucket) are left out: they are the user's to answer; a finding is `<construct path>: <rule id>`, and
 * an acknowledgement with no real reason is a finding too.
 */
import * as cdk from 'aws-cdk-lib';
import { addScenarios, USER_OWNED } from './scenarios';

/* eslint-disable @typescript-eslint/no-require-imports */
const awsCdkLibVersion: string = require('aws-cdk-lib/package.json').version;
const nag = require('cdk-nag');
const cdkNagVersion: string = require('cdk-nag/package.json').version;
const lib = require('cdk-workflow-patterns');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Suppression reasons shorter than this are not reasons (as in test/support/nag.ts). */
const MIN_REASON_LENGTH = 20;

/** The scenario app, or the control: a stack with a finding nothing suppresses (an SNS topic without TLS). */
function newApp(control = false): cdk.App {
  const app = new cdk.App();
  if (control) {
    new cdk.aws_sns.Topic(new cdk.Stack(app, 'Control'), 'Plain');
  } else {
    addScenarios(app, lib, cdk);
  }
  return app;
}

function v2Findings(control = false): string[] {
  const app = newApp(control);
  cdk.Aspects.of(app).add(new nag.AwsSolutionsChecks({ verbose: false }));
  return app.synth().stacks.flatMap(stack => stack.messages
    .filter(m => (m.level === 'error' || m.level === 'warning') && /^AwsSolutions-/.test(String(m.entry.data)))
    .map(m => `${m.id}: ${/^[\w-]+(\[.*?\])?(?=: )/.exec(String(m.entry.data))?.[0]}`))
    .filter(libraryFinding);
}

/** A finding on a resource the library creates (not on the user's own). */
function libraryFinding(finding: string): boolean {
  return !finding.split(': ')[0].split('/').includes(USER_OWNED);
}

function v3Findings(control = false): string[] {
  const app = newApp(control);
  const report = new nag.AwsSolutionsChecks(app).validateScope(app);
  const findings: string[] = report.violations.flatMap((v: any) =>
    v.violatingResources.map((r: any) => `${r.constructPath}: ${v.ruleName}`)).filter(libraryFinding);

  // Acknowledgements are recorded on the constructs: each must say why.
  const key = (cdk as any).Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata.filter(m => m.type === key)) {
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
          findings.push(`${construct.node.path}: acknowledgement of ${id} has no real reason (got ${JSON.stringify(reason)})`);
        }
      }
    }
  }

  // As a user runs it: the pack as a plugin, at synthesis, with the findings on the user's own
  // resources acknowledged by the user.
  const synthesized = newApp(control);
  const constructs = new Map(synthesized.node.findAll().map(c => [c.node.path, c]));
  for (const violation of new nag.AwsSolutionsChecks().validateScope(synthesized).violations) {
    for (const resource of violation.violatingResources) {
      if (libraryFinding(`${resource.constructPath}: ${violation.ruleName}`)) continue;
      (cdk as any).Validations.of(constructs.get(resource.constructPath))
        .acknowledge({ id: violation.ruleName, reason: "The scenario's own resource, not one the library creates." });
    }
  }
  (cdk as any).Validations.of(synthesized).addPlugins(new nag.AwsSolutionsChecks(synthesized));
  try {
    synthesized.synth();
  } catch (e) {
    const message = (e as Error).message;
    findings.push(`synth with the AwsSolutions plugin failed: ${message.split('\n').find(l => /fail/i.test(l)) ?? message}`);
  }
  return findings;
}

/** The testing toolkit's nagFindings on the control stack: it must run under this cdk-nag and report its finding. */
function toolkitFindings(): string[] {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const { nagFindings } = require('cdk-workflow-patterns/testing');
  const app = newApp(true);
  return nagFindings(app.node.findChild('Control'));
}

const run = cdkNagVersion.startsWith('2.') ? v2Findings : v3Findings;
const result = { cdkNag: cdkNagVersion, awsCdkLib: awsCdkLibVersion, findings: run(), control: run(true), toolkit: toolkitFindings() };
process.stdout.write(JSON.stringify(result));
