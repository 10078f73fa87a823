import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..');

/** The `ts` code blocks of the README and of docs/, with the package name pointing at the sources. */
function readmeBlocks(): string[] {
  const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => path.join('docs', f))];
  return pages.flatMap(page => [...fs.readFileSync(path.join(root, page), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)])
    .map(m => m[1].replace(/'cdk-workflow-patterns'/g, `'${path.join(root, 'src')}'`));
}

describe('README', () => {
  const blocks = readmeBlocks();

  test('has ts examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  // One program for every block: the library's sources are type-checked once, not once per block.
  let program: ts.Program;
  let dir: string;
  const fileOf = (i: number) => path.join(dir, `example-${i}.ts`);
  beforeAll(() => {
    fs.mkdirSync(path.join(root, 'test-reports'), { recursive: true });
    dir = fs.mkdtempSync(path.join(root, 'test-reports', 'readme-'));
    blocks.forEach((block, i) => fs.writeFileSync(fileOf(i + 1), `export {};\n${block}`));
    program = ts.createProgram(blocks.map((_, i) => fileOf(i + 1)), {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      // The sources (not their .d.ts) are compiled: the bundled handlers' wrappers need Node's types.
      types: ['node'],
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(blocks.map((_, i) => [i + 1]))('example %i compiles', (i) => {
    const file = program.getSourceFile(fileOf(i))!;
    const errors = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
      .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });
});
