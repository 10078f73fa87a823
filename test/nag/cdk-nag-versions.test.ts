/**
 * cdk-nag as a user runs it on the published library, under both major versions, each with the
 * aws-cdk-lib it needs: v2 (aspects, suppressions in the template metadata) with the lowest
 * aws-cdk-lib the library supports, and v3 (a policy validation plugin, acknowledgements on the
 * constructs, as `Validations.of(construct).acknowledge` records them) with a current aws-cdk-lib. Every construct, in its default
 * configuration, must show no finding under either.
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

interface NagResult { cdkNag: string; awsCdkLib: string; findings: string[]; control: string[]; toolkit: string[] }

describe('cdk-nag on the packed library', () => {
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
    fs.copyFileSync(checkScript, path.join(dir, 'check.js'));
    const result: NagResult = JSON.parse(execFileSync(process.execPath, ['check.js'], { cwd: dir, encoding: 'utf8' }));
    const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect({ ...result, control: undefined, toolkit: undefined }).toEqual({ cdkNag: installed('cdk-nag'), awsCdkLib: installed('aws-cdk-lib'), findings: [], control: undefined, toolkit: undefined });
    expect(installed('cdk-nag').split('.')[0]).toBe(cdkNag.split('.')[0]);
    // The pack ran: the control stack's unsuppressed finding is reported, by the pack and by the testing toolkit's nagFindings.
    expect(result.control).toEqual(expect.arrayContaining([expect.stringMatching(/^\/?Control\/Plain\/Resource: AwsSolutions-SNS3/)]));
    expect(result.toolkit).toEqual(expect.arrayContaining([expect.stringMatching(/^\/?Control\/Plain\/Resource: AwsSolutions-SNS3/)]));
  }, 300_000);
});
