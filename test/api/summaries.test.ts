/**
 * API.md and Construct Hub show the first sentence of each doc comment as its summary: jsii ends it
 * at the first period, and at a semicolon too. A summary cut at a semicolon reads as half a thought.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expectCompiledLibrary } from '../support/package';

test('every summary of the jsii assembly ends at the end of a sentence, not at a semicolon', () => {
  expectCompiledLibrary();
  const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.jsii'), 'utf8'));
  const cut: string[] = [];
  const check = (where: string, docs?: { summary?: string }) => {
    if (docs?.summary && /;$/.test(docs.summary.trim())) cut.push(`${where}: ${docs.summary}`);
  };
  for (const [fqn, type] of Object.entries<any>(assembly.types)) {
    check(fqn, type.docs);
    for (const p of type.properties ?? []) check(`${fqn}.${p.name}`, p.docs);
    for (const m of [...(type.methods ?? []), ...(type.initializer ? [{ name: 'constructor', ...type.initializer }] : [])]) {
      check(`${fqn}.${m.name}()`, m.docs);
      for (const p of m.parameters ?? []) check(`${fqn}.${m.name}(${p.name})`, p.docs);
    }
    for (const m of type.members ?? []) check(`${fqn}.${m.name}`, m.docs);
  }
  expect(cut).toEqual([]);
});
