/**
 * The engine's structure, as its README states it: no module imports another in a circle (type-only
 * imports included), and no file holds more than about 400 lines.
 */
import * as fs from 'fs';
import * as path from 'path';

const DIR = path.join(__dirname, '..', '..', 'src', 'engine');
const files = fs.readdirSync(DIR).filter(f => f.endsWith('.ts'));
const importsOf = (file: string): string[] =>
  [...fs.readFileSync(path.join(DIR, file), 'utf8').matchAll(/from '\.\/([a-z-]+)'/g)].map(m => `${m[1]}.ts`);

test('no module of the engine imports another in a circle', () => {
  const graph = new Map(files.map(f => [f, importsOf(f)]));
  const cycles: string[] = [];
  const visit = (file: string, stack: string[]) => {
    const at = stack.indexOf(file);
    if (at >= 0) {
      cycles.push([...stack.slice(at), file].join(' → '));
      return;
    }
    for (const next of graph.get(file) ?? []) visit(next, [...stack, file]);
  };
  for (const file of files) visit(file, []);
  expect([...new Set(cycles)]).toEqual([]);
});

test('no file of the engine holds more than 450 lines', () => {
  const long = files.map(f => ({ f, lines: fs.readFileSync(path.join(DIR, f), 'utf8').split('\n').length })).filter(x => x.lines > 450);
  expect(long).toEqual([]);
});
