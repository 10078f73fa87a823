/**
 * The testing toolkit on the newest aws-cdk-lib, as a new user installs it. From about 2.27x,
 * aws-cdk-lib validates every template at synth with a WebAssembly engine that takes seconds to start:
 * a local run only reads the templates (`cdk synth` still validates them), so the toolkit's synth
 * leaves that validation out, and a new user's first test does not time out at Jest's 5 seconds.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { installInNewFolder, packLibrary } from '../support/package';

const SCRIPT = `
const { App, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const tasks = require('aws-cdk-lib/aws-stepfunctions-tasks');
const { Workflow } = require('cdk-workflow-patterns');
const { runWorkflow } = require('cdk-workflow-patterns/testing');

function app() {
  const a = new App();
  const stack = new Stack(a, 'Quotes');
  const fn = new lambda.Function(stack, 'Price', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (q) => ({ ...q, price: q.quantity * 2 });'),
  });
  const workflow = new Workflow(stack, 'Quote', { definition: new tasks.LambdaInvoke(stack, 'Price quote', { lambdaFunction: fn, payloadResponseOnly: true }) });
  return { a, workflow };
}

(async () => {
  // The validation engine is a module aws-cdk-lib loads when it validates.
  const validatorLoaded = () => Object.keys(require.cache).some(file => file.includes('cloudformation-validate'));
  const local = app();
  const run = await runWorkflow(local.workflow, { input: { quantity: 3 } });
  const validatedByTheToolkit = validatorLoaded();
  const variableAfter = process.env.CDK_VALIDATION ?? null;
  const deployed = app();
  deployed.a.synth();
  console.log(JSON.stringify({ status: run.status, output: run.output, validatedByTheToolkit, validatedByCdkSynth: validatorLoaded(), variableAfter }));
})().catch(e => { console.error(e); process.exit(1); });
`;

test('a local run synthesizes without aws-cdk-lib\'s built-in template validation, which cdk synth keeps', () => {
  const dir = installInNewFolder('newest-cdk', [packLibrary(), 'aws-cdk-lib@latest', 'constructs@10']);
  fs.writeFileSync(path.join(dir, 'check.js'), SCRIPT);
  const result = JSON.parse(execFileSync(process.execPath, ['check.js'], { cwd: dir, encoding: 'utf8' }));
  expect(result).toEqual({
    status: 'SUCCEEDED',
    output: { quantity: 3, price: 6 },
    validatedByTheToolkit: false,
    // The control: this aws-cdk-lib does validate at synth, so the check above can fail.
    validatedByCdkSynth: true,
    variableAfter: null,
  });
}, 300_000);
