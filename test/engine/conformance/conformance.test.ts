/**
 * The engine against Step Functions' documented and recorded behaviour: every `*.cases.ts` file
 * beside this one exports `cases: ConformanceCase[]`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONFORMANCE_START, ConformanceCase } from './case';
import { DefinitionError, LocalS3, execute } from '../../../src/engine';

const files = fs.readdirSync(__dirname).filter(f => f.endsWith('.cases.ts')).sort();

test('the conformance suite holds at least 300 cases, each with its source', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const all = files.flatMap(f => (require(path.join(__dirname, f)).cases as ConformanceCase[]));
  expect(all.length).toBeGreaterThanOrEqual(300);
  for (const c of all) {
    expect(c.source).toMatch(/^(https:\/\/docs\.aws\.amazon\.com\/|localstack:tests\/aws\/services\/stepfunctions\/)/);
  }
  const names = all.map(c => c.name);
  expect(new Set(names).size).toBe(names.length);
});

for (const file of files) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cases } = require(path.join(__dirname, file)) as { cases: ConformanceCase[] };
  describe(file.replace(/\.cases\.ts$/, ''), () => {
    test.each(cases.map(c => [c.name, c] as const))('%s', async (_name, c) => {
      const s3 = new LocalS3();
      for (const [bucket, objects] of Object.entries(c.s3 ?? {})) {
        s3.createBucket(bucket);
        for (const [key, body] of Object.entries(objects)) s3.putObject(bucket, key, body, CONFORMANCE_START);
      }
      const run = () => execute(c.definition, { startTime: CONFORMANCE_START, ...c.options, input: c.input ?? {}, tasks: c.tasks, s3 });
      if (c.expect.invalid) {
        await expect(run()).rejects.toThrow(DefinitionError);
        await expect(run()).rejects.toThrow(c.expect.invalid);
        return;
      }
      const result = await run();
      const summary = { status: result.status, error: result.error, cause: result.cause, output: result.output };
      if (c.expect.status) expect(summary).toMatchObject({ status: c.expect.status });
      if (c.expect.error !== undefined) expect(summary).toMatchObject({ error: c.expect.error });
      if (typeof c.expect.cause === 'string') expect(result.cause).toBe(c.expect.cause);
      if (c.expect.cause instanceof RegExp) expect(result.cause).toMatch(c.expect.cause);
      if ('output' in c.expect) expect(result.output).toEqual(c.expect.output);
      if (c.expect.transitions !== undefined) expect(result.transitions).toBe(c.expect.transitions);
      if (c.expect.eventTypes) expect(result.events.map(e => e.type)).toEqual(c.expect.eventTypes);
      c.expect.check?.(result, s3);
    });
  });
}
