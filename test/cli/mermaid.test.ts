import { graphOf, takenPath } from '../../src/testing/graph';
import { escapeMermaid, toMermaid } from '../../src/testing/mermaid';

const ASL = {
  StartAt: 'Total > "100"?',
  States: {
    'Total > "100"?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.total', NumericGreaterThan: 100, Next: 'Both' }],
      Default: 'Refused',
    },
    'Both': {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Items', States: { Items: { Type: 'Map', ItemProcessor: { StartAt: 'One', States: { One: { Type: 'Pass', End: true } } }, End: true } } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refused' }],
      End: true,
    },
    'Refused': { Type: 'Fail', Error: 'Refused' },
  },
};

describe('toMermaid', () => {
  test('writes a flowchart: shapes by type, nested subgraphs, labelled Choice and Catch edges', () => {
    expect(toMermaid(graphOf(ASL)).split('\n').slice(0, 24)).toEqual([
      'flowchart TD',
      '  n_start(("Start"))',
      '  n_end(("End"))',
      '  s1{"Total #gt; #quot;100#quot;?<br/><i>Choice</i>"}',
      '  s5(["Refused<br/><i>Fail · Refused</i>"])',
      '  subgraph s2_group["Both (Parallel)"]',
      '    s2["Both<br/><i>Parallel</i>"]',
      '    s2_join[/"Both done"\\]',
      '    subgraph s2_branch1["Branch 1"]',
      '      subgraph s3_group["Items (Map)"]',
      '        s3["Items<br/><i>Map</i>"]',
      '        s3_join[/"Items done"\\]',
      '        s4["One<br/><i>Pass</i>"]',
      '      end',
      '    end',
      '  end',
      '  n_start --> s1',
      '  s4 --> s3_join',
      '  s3 --> s4',
      '  s3_join --> s2_join',
      '  s2 --> s3',
      '  s1 -->|"$.total #gt; 100"| s2',
      '  s1 -->|"Default"| s5',
      '  s2_join --> n_end',
    ]);
  });

  test('draws Catch edges dotted and styles terminal states apart', () => {
    const text = toMermaid(graphOf(ASL));
    expect(text).toContain('  s2_join -.->|"catch States.ALL"| s5\n');
    expect(text).toContain('  class s5 fail\n');
    expect(text).toMatch(/classDef fail fill:#fdeaea,stroke:#c62828/);
    expect(text).not.toContain('taken');
  });

  test('highlights a taken path with a class and link styles', () => {
    const g = graphOf(ASL);
    const text = toMermaid(g, { taken: takenPath(g, { entered: ['Total > "100"?', 'Refused'], exited: ['Total > "100"?'], catches: [] }) });
    expect(text).toContain('  class n_start,s1,s5 taken\n');
    const defaultEdge = g.edges.findIndex(e => e.label === 'Default');
    expect(text).toContain(`  linkStyle 0,${defaultEdge} stroke:#e8590c,stroke-width:3px\n`);
  });
});

describe('escapeMermaid', () => {
  test('turns what Mermaid would read as syntax into entity codes', () => {
    expect(escapeMermaid('a "b" <c> #1 & d\ne')).toBe('a #quot;b#quot; #lt;c#gt; #35;1 #38; d e');
  });
});
