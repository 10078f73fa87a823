/**
 * The published package is what a user needs and nothing else: the compiled library (lib/, its
 * jsii assembly), the bundled Lambda handlers (assets/), the command-line tool, the README, the
 * licence; its metadata lets npm and Construct Hub find it and link back; the README's images and
 * links work where the README is shown without the repository (npm, Construct Hub).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expectCompiledLibrary, ROOT } from './support/package';

const REPOSITORY = 'https://github.com/cdk-workflow-patterns/cdk-workflow-patterns';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Every file under a folder, relative to the repository root. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** The files a user needs: computed from the sources and the bundle tasks, not from lib/. */
function allowlist(): string[] {
  const library = filesUnder('src')
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.lambda.ts'))
    .flatMap(f => {
      const out = f.replace(/^src\//, 'lib/').replace(/\.ts$/, '');
      return [`${out}.js`, `${out}.d.ts`];
    });
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
  // Every esbuild bundle: the Lambda handlers, the command-line tool, jsonata for the engine, dagre for the toolkit.
  const bundles = Object.values<any>(tasks)
    .filter(t => /^bundle:/.test(t.name) && !t.name.endsWith(':watch'))
    .map(t => (t.steps[0].execArgs ?? String(t.steps[0].exec).split(' ')).find((a: string) => a.startsWith('--outfile=')).slice('--outfile='.length));
  return [
    'package.json', 'README.md', 'LICENSE', '.jsii',
    // The pages the README links, for a reader without the repository.
    ...filesUnder('docs'),
    // `cdk-workflow-patterns/testing` and `/worker` resolve through these folders' package.json.
    'testing/package.json',
    'worker/package.json',
    ...new Set(bundles),
    ...library,
  ].sort();
}

test('the library installs no dependency: what it needs at run time is bundled into lib/', () => {
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.bundledDependencies ?? []).toEqual([]);
});

describe('the npm package', () => {
  let packed: Array<{ path: string; size: number }>;
  beforeAll(() => {
    expectCompiledLibrary();
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    packed = JSON.parse(out)[0].files;
  });

  test('holds exactly the files a user needs', () => {
    expect(packed.map(f => f.path).sort()).toEqual(allowlist());
  });

  test('every Lambda handler bundle and the command-line tool are in it', () => {
    const paths = packed.map(f => f.path);
    expect(paths.filter(p => p.startsWith('assets/')).length).toBeGreaterThanOrEqual(4);
    expect(paths).toContain('lib/cli/cdk-workflow-patterns.js');
    expect(paths).toContain('lib/index.d.ts');
  });

  test('the allowlist check fails on a stray file', () => {
    const stray = [...packed.map(f => f.path), '.tmp/bench/synth-app.js'].sort();
    expect(stray).not.toEqual(allowlist());
  });

  test('its metadata lets npm and Construct Hub find it and link back', () => {
    expect(pkg.keywords).toEqual(expect.arrayContaining(['awscdk', 'aws-cdk', 'cdk']));
    expect(pkg.homepage).toBe(`${REPOSITORY}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    expect(pkg.repository).toEqual({ type: 'git', url: `${REPOSITORY}.git` });
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.description.length).toBeGreaterThan(20);
  });
});

describe('the README, shown without the repository (npm, Construct Hub)', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map(m => m[1]);
  const links = [...readme.matchAll(/(?<!!)\[[^\]]*\]\(([^)\s]+)\)/g)].map(m => m[1]);

  test('its picture is text, which every renderer shows; an image, if any, is an absolute link to a file of the repository', () => {
    expect(readme.slice(0, readme.indexOf('## Contents'))).toMatch(/```text\n[\s\S]*(Workflow|ApprovalGate)[\s\S]*```/);
    const prefix = `${REPOSITORY.replace('https://github.com/', 'https://raw.githubusercontent.com/')}/main/`;
    for (const image of images) {
      expect(image.startsWith(prefix) ? prefix : image).toBe(prefix);
      expect(fs.existsSync(path.join(ROOT, image.slice(prefix.length)))).toBe(true);
    }
  });

  test('links to files of the repository are absolute, and the files exist', () => {
    const relative = links.filter(l => !/^(https?:|#|mailto:)/.test(l));
    expect(relative).toEqual([]);
    const prefix = `${REPOSITORY}/blob/main/`;
    for (const link of links.filter(l => l.startsWith(prefix))) {
      expect(fs.existsSync(path.join(ROOT, link.slice(prefix.length).split('#')[0])) ? link : `missing: ${link}`).toBe(link);
    }
  });
});
