/**
 * `npm run bench -- --only saga` replaces the saga section of bench/RESULTS.md and keeps the others.
 */
import { replaceSection } from '../../bench/saga';

const results = '# Benchmark results\n\n## 6. Scale\n\nsix\n\n## 7. Saga: old\n\nold table\n\n## 8. Later\n\neight\n';

test('replaces the section from its heading to the next one, and nothing else', () => {
  expect(replaceSection(results, '## 7. Saga: new\n\nnew table')).toBe('# Benchmark results\n\n## 6. Scale\n\nsix\n\n## 7. Saga: new\n\nnew table\n\n## 8. Later\n\neight\n');
});

test('replaces the last section', () => {
  expect(replaceSection('# R\n\n## 7. Saga: old\n\nx\n', '## 7. Saga: new\n\ny')).toBe('# R\n\n## 7. Saga: new\n\ny\n');
});

test('adds the section at the end when the file has none', () => {
  expect(replaceSection('# R\n\n## 6. Scale\n\nsix\n', '## 7. Saga: new\n\ny')).toBe('# R\n\n## 6. Scale\n\nsix\n\n## 7. Saga: new\n\ny\n');
});
