import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..');

/** The README's `ts` code blocks, with the package name pointing at the sources. */
function readmeBlocks(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1].replace(/'cdk-workflow-patterns'/g, `'${path.join(root, 'src')}'`));
}

describe('README', () => {
  const blocks = readmeBlocks();

  test('has ts examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  test.each(blocks.map((b, i) => [i + 1, b]))('example %i compiles', (i, block) => {
    fs.mkdirSync(path.join(root, 'test-reports'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, 'test-reports', 'readme-'));
    const file = path.join(dir, `example-${i}.ts`);
    fs.writeFileSync(file, `export {};\n${block}`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      // The sources (not their .d.ts) are compiled: the bundled handlers' wrappers need Node's types.
      types: ['node'],
    });
    const errors = ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });
});
