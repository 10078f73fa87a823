import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/**
 * Minimum aws-cdk-lib users need. 2.245.0 has everything the constructs use
 * (sfn.DistributedMap with ItemReader/ResultWriterV2, JitterType, QueryLanguage)
 * and is the version @aws-cdk/integ-tests-alpha is published for.
 */
const CDK_VERSION = '2.245.0';

/** The repository: the README's images and links point into it (npm and Construct Hub show the README alone). */
const REPOSITORY = 'https://github.com/cdk-workflow-patterns/cdk-workflow-patterns';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-workflow-patterns',
  description: 'Secure, tested AWS Step Functions patterns for AWS CDK: production-ready workflows, human approval, fan-out, and local execution.',
  author: 'cdk-workflow-patterns maintainers',
  authorAddress: 'maintainers@cdk-workflow-patterns.dev',
  repositoryUrl: `${REPOSITORY}.git`,
  homepage: `${REPOSITORY}#readme`,
  bugsUrl: `${REPOSITORY}/issues`,
  // `awscdk` is how Construct Hub finds CDK construct libraries.
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'step-functions', 'stepfunctions', 'workflow', 'orchestration', 'approval', 'map'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  minNodeVersion: '20.0.0',

  // Construct Hub and the package managers of every jsii language.
  publishToPypi: { distName: 'cdk-workflow-patterns', module: 'cdk_workflow_patterns' },
  publishToMaven: {
    javaPackage: 'io.github.cdkworkflowpatterns',
    mavenGroupId: 'io.github.cdk-workflow-patterns',
    mavenArtifactId: 'cdk-workflow-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkWorkflowPatterns', packageId: 'CdkWorkflowPatterns' },
  publishToGo: { moduleName: 'github.com/cdk-workflow-patterns/cdk-workflow-patterns-go', packageName: 'cdkworkflowpatterns' },

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  // jsii and the dev toolchain stay on TypeScript 5.9: TypeScript 7 breaks ts-jest.
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts', 'integ/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', 'cli/**/*.ts'],
    compilerOptions: {
      lib: ['es2023'],
    },
    // A user's project, compiled in its own folder against the packed library (test/consumer).
    exclude: ['test/consumer/project'],
  },

  devDeps: [
    '@types/node@^20',
    `@aws-cdk/integ-tests-alpha@${CDK_VERSION}-alpha.0`,
    '@aws-cdk/integ-runner@^2.197.10',
    'aws-cdk@^2.1148.1',
    'asl-validator@^4.0.0',
    // The local Step Functions engine (src/engine) evaluates JSONata with the official implementation,
    // shipped minified with its licence in lib/engine/jsonata.bundle.js (about 80 KB instead of the
    // package's 850 KB of four builds).
    'jsonata@^2.2.2',
    // cdk-nag v3 needs aws-cdk-lib >= 2.257 at dev time; v2 checks the same AwsSolutions rules on 2.245.
    'cdk-nag@^2.36.8',
    // Lambda handlers: the AWS SDK v3 is provided by the Lambda runtime and left out of the bundles.
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-sfn@^3',
    '@aws-sdk/client-sns@^3',
    '@types/aws-lambda@^8',
    'aws-sdk-client-mock@^4',
    // The command-line tool's own dependencies: bundled into one file, never installed with the library.
    '@dagrejs/dagre@^3.1.3',
    'esbuild@^0.28.2',
    // The report test drives Debian's chromium (/usr/bin/chromium); playwright-core downloads no browser.
    'playwright-core@^1.65.1',
  ],
  // Every bundled handler runs on one Node.js runtime, the newest Lambda offers.
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: { sourcemap: false },
  },
  jestOptions: {
    // A snapshot that changes must fail the test; `npm run test:update` refreshes them on purpose.
    updateSnapshot: UpdateSnapshot.NEVER,
    // Machine-readable results for .ci/run's closing `N passed, N failed` line.
    extraCliOptions: ['--json', '--outputFile=test-reports/jest-results.json'],
    // A run that finds no test (a broken testMatch) fails instead of passing.
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // A user's project with its own tests (*.spec.ts), run in its own folder by test/consumer.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/project/'],
      setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
      testTimeout: 60_000,
      // Two workers on two cores: several tests wait on child processes and npm installs.
      maxWorkers: 2,
      // Coverage costs a third more CPU on every test run; \`npm test -- --coverage\` collects it.
      collectCoverage: false,
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'integ', 'examples', 'bench', 'cli'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    // Tests never rewrite the sources: `npm test` reports a lint error, `npx projen eslint --fix` fixes it.
    commandOptions: { fix: false },
  },
  gitignore: ['/cdk.out/', '/integ/**/asset.*', '/demo-output/', '.tmp/', '/.jsii.tabl.json'],
});

// npm 11.16+ lists the dependencies whose install scripts nobody reviewed (npm 12 blocks them): esbuild's
// checks its platform binary; @parcel/watcher (jest's file watcher, unused by `npm test`) would build
// from source only where its prebuilt binary (an optional dependency) is missing.
project.package.addField('allowScripts', { 'esbuild': true, '@parcel/watcher': false });

// A user's project: linted, compiled and run in its own folder against the packed library (test/consumer).
project.eslint?.addIgnorePattern('test/consumer/project/');

// The handlers' shared code imports the AWS SDK, which the Lambda runtime provides (never bundled).
project.eslint?.allowDevDeps('src/private/approval/**');

// The package holds what a user needs (test/package-contents.test.ts checks it against an allowlist),
// the README and the pages of docs/ it links included: not the sources of the tool and tests, the test
// and benchmark output (.tmp/), API.md (Construct Hub and the repository show it), nor the compiled
// handler sources (their esbuild bundles in assets/ are what the functions run).
for (const pattern of [
  '/cli/', '/CONTRIBUTING.md', '/integ/', '/examples/', '/bench/', '/rosetta/', '/cdk.out/', '/demo-output/', '/.ci/', '/.tmp/',
  '/tsconfig.dev.json', '/API.md', '/.jsii.tabl.json', '/lib/**/*.lambda.js', '/lib/**/*.lambda.d.ts',
]) {
  project.npmignore?.exclude(pattern);
}

// The command-line tool (cli/): one self-contained file, bundled after jsii has compiled src/ into lib/,
// so the published package carries it while the library itself keeps no runtime dependency.
const CLI_BUNDLE = 'lib/cli/cdk-workflow-patterns.js';
const bundleCli = project.addTask('bundle:cli', {
  description: `Bundle the command-line tool into ${CLI_BUNDLE}`,
  steps: [
    {
      exec: [
        `esbuild cli/bin.ts --bundle --platform=node --target=node20 --outfile=${CLI_BUNDLE}`,
        "--banner:js='#!/usr/bin/env node' --log-level=error",
      ].join(' '),
    },
    // Runnable as `npx cdk-workflow-patterns` in this repository too (npm sets the bit only when it installs the package).
    { exec: `chmod +x ${CLI_BUNDLE}` },
  ],
});
project.postCompileTask.spawn(bundleCli);

// The testing toolkit (src/testing, `cdk-workflow-patterns/testing`) draws diagrams with dagre: shipped
// minified next to it (about 50 KB), so that the library installs no dependency for it.
const bundleDagre = project.addTask('bundle:dagre', {
  description: 'Bundle dagre (diagram layout) for the testing toolkit into lib/testing/dagre.js',
  exec: 'esbuild node_modules/@dagrejs/dagre/dist/dagre.cjs --bundle --minify --platform=node --format=cjs --target=node20 --outfile=lib/testing/dagre.js --log-level=warning',
});
project.postCompileTask.spawn(bundleDagre);
const bundleJsonata = project.addTask('bundle:jsonata', {
  description: 'Bundle the official jsonata package, minified with its licence, for the local engine into lib/engine/jsonata.bundle.js',
  exec: 'esbuild node_modules/jsonata/jsonata.js --bundle --minify --platform=node --format=cjs --target=node20 '
    + '--outfile=lib/engine/jsonata.bundle.js --log-level=warning '
    + '--banner:js="/*! jsonata $(node -p \'require("./node_modules/jsonata/package.json").version\'), https://github.com/jsonata-js/jsonata, $(cat node_modules/jsonata/LICENSE) */"',
});
project.postCompileTask.spawn(bundleJsonata);
project.addBins({ 'cdk-workflow-patterns': CLI_BUNDLE });

// Entry points: the construct library, the testing toolkit (`cdk-workflow-patterns/testing`) and the
// activity worker runtime (`cdk-workflow-patterns/worker`), both for TypeScript and JavaScript, outside the jsii API. The map serves ES modules and TypeScript's NodeNext
// resolution; testing/package.json and worker/package.json serve the older node10 resolution, which ignores it.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './testing': { types: './lib/testing/index.d.ts', default: './lib/testing/index.js' },
  './worker': { types: './lib/worker/index.d.ts', default: './lib/worker/index.js' },
  './package.json': './package.json',
  './.jsii': './.jsii',
});

// Integration tests: integ-runner synthesizes each integ/integ.*.ts and compares it with the
// committed snapshot. --dry-run: never deploys, needs no credentials. `npm test` makes the same
// comparison in-process (test/integ/snapshots.test.ts), without a CDK CLI and ts-node per synth.
project.addTask('integ', {
  description: 'Synthesize integ tests and compare them with their committed snapshots (offline)',
  exec: 'integ-runner --directory integ --language typescript --parallel-regions us-east-1 --dry-run',
  receiveArgs: true,
});
project.addTask('integ:update', {
  description: 'Refresh integ test snapshots (offline, nothing is deployed)',
  exec: 'integ-runner --directory integ --language typescript --parallel-regions us-east-1 --update-on-failed --dry-run',
  receiveArgs: true,
});
// Before jest, in this order (prepended in reverse):
// - the command-line tool's bundle and the jsii compilation (lib/, .jsii): the package tests pack the
//   library, the API test reads the jsii assembly, and jsii checks its rules on the public API;
project.testTask.prependSpawn(bundleCli);
project.testTask.prependSpawn(bundleDagre);
project.testTask.prependSpawn(bundleJsonata);
project.testTask.prependSpawn(project.compileTask);
// - tsc: ts-jest transpiles without type checking (isolatedModules), so tests, examples and integ are type-checked here;
project.testTask.prependExec('tsc --noEmit -p tsconfig.dev.json');
// - the Lambda handlers' bundles (assets/), which the constructs load: tests, integ and the demo need them.
const bundle = project.tasks.tryFind('bundle')!;
project.testTask.prependSpawn(bundle);

// The README's examples, compiled by jsii-rosetta in strict mode (every example must compile) and
// translated into every jsii language (.jsii.tabl.json, which jsii-pacmak and Construct Hub use).
// Strict mode is also recorded in the assembly, so Construct Hub's own translation is strict too.
project.package.addField('jsiiRosetta', {
  strict: true,
  // The README's cdk-nag example imports cdk-nag, which is not a dependency of the library.
  exampleDependencies: { 'cdk-nag': '^2.36.8' },
});
project.package.addField('jsii', {
  ...project.package.manifest.jsii,
  metadata: { jsii: { rosetta: { strict: true } } },
});
const rosetta = project.addTask('rosetta', {
  description: "Compile the README's examples with jsii-rosetta (strict) and translate them into every jsii language",
  exec: 'jsii-rosetta extract --strict',
});

// The packages of the other jsii languages, with the README's examples translated. This machine (Debian,
// npm registry only) builds the Python wheel and sdist with Debian's python3 (apt-get install
// python3-build) and checks that the generated Go code parses (gofmt, apt-get install golang-go);
// Java, .NET and Go are generated only: building them needs Maven Central, NuGet and the Go proxy.
// Not in `npm test` (about a minute); .ci/run runs it after the tests.
const LANGUAGES_DIR = 'dist/languages';
project.addTask('package:languages', {
  description: `Generate the Python, Java, .NET and Go packages into ${LANGUAGES_DIR}/ and build the Python wheel`,
  steps: [
    { spawn: rosetta.name },
    { exec: `rm -rf ${LANGUAGES_DIR}` },
    {
      exec: `jsii-pacmak --code-only --force --rosetta-tablet .jsii.tabl.json --rosetta-unknown-snippets fail --outdir ${LANGUAGES_DIR} `
        + '--target python --target java --target dotnet --target go',
    },
    { exec: `/usr/bin/python3 -m build --no-isolation --skip-dependency-check --outdir ${LANGUAGES_DIR}/python-dist ${LANGUAGES_DIR}/python` },
    { exec: `/usr/bin/python3 -m compileall -q ${LANGUAGES_DIR}/python/src` },
    { exec: `gofmt -e -l ${LANGUAGES_DIR}/go > /dev/null` },
  ],
});

// The main job: synthesize the example app and run its workflows locally.
project.addTask('demo', {
  description: 'Synthesize the example app into cdk.out/, draw its workflows and run them locally (diagrams and reports in demo-output/)',
  steps: [
    { spawn: bundle.name },
    { exec: 'cdk synth --app "ts-node --prefer-ts-exts -P tsconfig.dev.json examples/app.ts" --output cdk.out --quiet' },
    { exec: 'ts-node --prefer-ts-exts -P tsconfig.dev.json examples/run-demo.ts cdk.out demo-output' },
  ],
});

// The benchmark (bench/): synth, run-time cost and size against hand-written CDK; writes bench/RESULTS.md.
// Not part of `npm test`, which runs only its smoke run (test/bench/smoke.test.ts).
project.addTask('bench', {
  description: 'Measure synth time and memory, state transitions, fan-out cost and sizes against hand-written CDK (writes bench/RESULTS.md; --smoke: smallest sizes, nothing written)',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --prefer-ts-exts -P tsconfig.dev.json bench/run.ts', receiveArgs: true },
  ],
});

project.synth();
