/**
 * The user's documentation: README.md, CONTRIBUTING.md and docs/. Every relative link resolves, the
 * testing toolkit's reference names everything the toolkit exports, and the command's reference
 * prints the usage the command prints.
 */
import * as fs from 'fs';
import * as path from 'path';
import { USAGE } from '../cli/main';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const pages = ['README.md', 'CONTRIBUTING.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '');

/** GitHub's anchor for a heading. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

describe('links', () => {
  const anchors = new Map(pages.map(p => [p, new Set([...withoutCode(read(p)).matchAll(/^#+ (.*)$/gm)].map(m => anchorOf(m[1])))]));

  test.each(pages)('every relative link of %s reaches a file, and a heading there', (page) => {
    const broken: string[] = [];
    const repository = 'https://github.com/cdk-workflow-patterns/cdk-workflow-patterns/blob/main/';
    for (const [, written] of withoutCode(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      // A link to a file of this repository is checked as the file it names.
      const link = written.startsWith(repository) ? `/${written.slice(repository.length)}` : written;
      if (/^(https?|mailto):/.test(link)) continue;
      const [file, anchor] = link.split('#');
      const target = !file ? page : file.startsWith('/') ? file.slice(1) : path.normalize(path.join(path.dirname(page), file));
      if (!fs.existsSync(path.join(root, target))) broken.push(`${link}: no file ${target}`);
      else if (anchor && anchors.has(target) && !anchors.get(target)!.has(anchor)) broken.push(`${link}: no heading '${anchor}' in ${target}`);
    }
    expect(broken).toEqual([]);
  });

  test('the README links every page of docs/ and the two commands for a fresh clone are in its Develop section', () => {
    const readme = read('README.md');
    // Absolute links: npm, PyPI and Construct Hub show the README without the repository.
    for (const page of pages.filter(p => p.startsWith('docs/'))) {
      expect(readme).toContain(`](https://github.com/cdk-workflow-patterns/cdk-workflow-patterns/blob/main/${page}`);
    }
    const develop = readme.slice(readme.indexOf('## Develop'));
    expect(develop).toContain('npm ci && npm run demo');
    expect(develop).toContain('npm ci && npm test');
    expect(readme).toContain('- [Develop](#develop)');
  });
});

describe("the testing toolkit's reference (docs/testing.md)", () => {
  const reference = read('docs/testing.md');
  const named = (name: string) => reference.includes(`\`${name}`) || new RegExp(`[\`(, ]${name.replace(/[.$]/g, '\\$&')}[\`(,:)]`).test(reference);

  test('names every export of cdk-workflow-patterns/testing', () => {
    const index = read('src/testing/index.ts');
    const exported = [...index.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap(m => m[1].split(',')).map(n => n.trim()).filter(Boolean);
    expect(exported.length).toBeGreaterThan(40);
    expect(exported.filter(n => !named(n))).toEqual([]);
  });

  test.each([
    ['RunOptions', 'src/testing/local-workflow.ts'],
    ['LocalRunOptions', 'src/testing/local-execution.ts'],
  ])('names every option of %s', (name, file) => {
    const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(read(file))![1];
    const options = [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map(m => m[1]);
    expect(options.length).toBeGreaterThan(5);
    expect(options.filter(o => !named(o))).toEqual([]);
  });

  test('names every member of WorkflowRun', () => {
    const source = read('src/testing/local-workflow.ts');
    const body = source.slice(source.indexOf('export class WorkflowRun'));
    const members = [...body.matchAll(/^ {2}public (?:readonly )?(\w+)/gm)].map(m => m[1]);
    expect(members.length).toBeGreaterThan(20);
    expect(members.filter(m => !named(m))).toEqual([]);
  });
});

describe("the command's reference (docs/cli.md)", () => {
  test('shows the usage the command prints, word for word', () => {
    const usage = /## Usage[\s\S]*?```text\n([\s\S]*?)\n```/.exec(read('docs/cli.md'));
    expect(usage?.[1]).toBe(USAGE);
  });

  test('explains every option of the usage', () => {
    const text = withoutCode(read('docs/cli.md'));
    const options = [...USAGE.matchAll(/^ {2}(--[a-z0-9]+)/gm)].map(m => m[1]);
    expect(options.length).toBeGreaterThan(8);
    expect(options.filter(o => !text.includes(`\`${o}`))).toEqual([]);
  });
});
