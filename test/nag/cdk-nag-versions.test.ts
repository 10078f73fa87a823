/**
 * cdk-nag as a user runs it on the published library, under both major versions, each with the
 * aws-cdk-lib it needs: v2 (aspects, suppressions in the template metadata) with the lowest
 * aws-cdk-lib the library supports, and v3 (a policy validation plugin, acknowledgements on the
 * constructs, as `Validations.of(construct).acknowledge` records them) with a current aws-cdk-lib. Every construct, in its default
 * configuration, must show no finding under either. The newest aws-cdk-lib's folder also checks that
 * the testing toolkit's synth leaves out that version's built-in template validation.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { installInNewFolder, packLibrary, ROOT, tempDir } from '../support/package';

const devVersion = (name: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

const VERSIONS: Array<{ cdkNag: string; awsCdkLib: string }> = [
  // The repository's own: cdk-nag v2 on the aws-cdk-lib the library is built and tested with (its lowest).
  { cdkNag: devVersion('cdk-nag'), awsCdkLib: devVersion('aws-cdk-lib') },
  // cdk-nag v3 declares aws-cdk-lib 2.257.0 or later, but runs as a synth plugin (and fails the synth
  // on a finding) only from about 2.262: what `npm install cdk-nag aws-cdk-lib` gives today.
  { cdkNag: '3.0.2', awsCdkLib: '2.276.0' },
  // What npm gives a new user today, with either major version of cdk-nag: a new aws-cdk-lib (a new
  // Node.js runtime, say) must not make the library's own resources fail the packs.
  { cdkNag: '3', awsCdkLib: 'latest' },
  { cdkNag: '2', awsCdkLib: 'latest' },
];

/**
 * The testing toolkit on the newest aws-cdk-lib, as a new user installs it. From about 2.27x,
 * aws-cdk-lib validates every template at synth with a WebAssembly engine that takes seconds to start:
 * a local run only reads the templates (`cdk synth` still validates them), so the toolkit's synth
 * leaves that validation out, and a new user's first test does not time out at Jest's 5 seconds.
 */
const VALIDATION_CHECK = `
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

interface NagResult { cdkNag: string; awsCdkLib: string; findings: string[]; control: string[]; toolkit: string[] }

describe('cdk-nag on the packed library', () => {
  /** The folder of each row, for the checks below that need the newest aws-cdk-lib (no second install). */
  const folders = new Map<string, string>();
  let tarball: string;
  let checkScript: string;
  beforeAll(() => {
    tarball = packLibrary();
    checkScript = path.join(tempDir('nag-check'), 'check.js');
    buildSync({
      entryPoints: [path.join(__dirname, 'check.ts')],
      outfile: checkScript,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
      external: ['aws-cdk-lib', 'constructs', 'cdk-nag', 'cdk-workflow-patterns'],
    });
  });

  test.each(VERSIONS)('cdk-nag $cdkNag with aws-cdk-lib $awsCdkLib: no finding on any construct, and the toolkit\'s nagFindings runs', ({ cdkNag, awsCdkLib }) => {
    const dir = installInNewFolder('nag', [tarball, `aws-cdk-lib@${awsCdkLib}`, 'constructs@10.5.1', `cdk-nag@${cdkNag}`]);
    folders.set(`${cdkNag}/${awsCdkLib}`, dir);
    fs.copyFileSync(checkScript, path.join(dir, 'check.js'));
    const result: NagResult = JSON.parse(execFileSync(process.execPath, ['check.js'], { cwd: dir, encoding: 'utf8' }));
    const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect({ ...result, control: undefined, toolkit: undefined }).toEqual({ cdkNag: installed('cdk-nag'), awsCdkLib: installed('aws-cdk-lib'), findings: [], control: undefined, toolkit: undefined });
    expect(installed('cdk-nag').split('.')[0]).toBe(cdkNag.split('.')[0]);
    // The pack ran: the control stack's unsuppressed finding is reported, by the pack and by the testing toolkit's nagFindings.
    expect(result.control).toEqual(expect.arrayContaining([expect.stringMatching(/^\/?Control\/Plain\/Resource: AwsSolutions-SNS3/)]));
    expect(result.toolkit).toEqual(expect.arrayContaining([expect.stringMatching(/^\/?Control\/Plain\/Resource: AwsSolutions-SNS3/)]));
  }, 300_000);

  test('on the newest aws-cdk-lib, a local run synthesizes without its built-in template validation, which cdk synth keeps', () => {
    const dir = folders.get('3/latest');
    if (!dir) throw new Error('the cdk-nag 3 / newest aws-cdk-lib folder was not installed (its test above failed)');
    fs.writeFileSync(path.join(dir, 'validation-check.js'), VALIDATION_CHECK);
    const result = JSON.parse(execFileSync(process.execPath, ['validation-check.js'], { cwd: dir, encoding: 'utf8' }));
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: { quantity: 3, price: 6 },
      validatedByTheToolkit: false,
      // The control: this aws-cdk-lib does validate at synth, so the check above can fail.
      validatedByCdkSynth: true,
      variableAfter: null,
    });
  }, 120_000);
});
