/**
 * Plain JavaScript (test/api/plain-app/wrong-types.js, run by Node.js against the compiled library):
 * a prop of the wrong type gets one message that names the construct, the prop, what was given and
 * what to write, never an internal TypeError, and never a silently different construct.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { expectCompiledLibrary } from '../support/package';

test('every wrong type is answered with the construct, the prop, what was given and what to write', () => {
  expectCompiledLibrary();
  const answers = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'plain-app', 'wrong-types.js')], { encoding: 'utf8' }));
  expect(answers).toEqual({
    'Workflow type as a string': 'Error: Workflow \'W\': type must be a WorkflowType (got string "EXPRESS"); write type: WorkflowType.expressAsync() (or standard(), expressSync(), expressAsync())',
    'Workflow timeout as a number': 'Error: Workflow \'W\': timeout must be a Duration (got number 3600); write timeout: Duration.seconds(3600) (or Duration.minutes(...), Duration.hours(...))',
    'ApprovalGate timeout as a number': 'Error: ApprovalGate \'Approve\': timeout must be a Duration (got number 3600); write timeout: Duration.seconds(3600) (or Duration.minutes(...), Duration.hours(...))',
    'ApprovalGate approverEmails as a string': 'Error: ApprovalGate \'Approve\': approverEmails must be a list of strings (got string "a@example.com"); write approverEmails: [\'a@example.com\']',
    'FanOutMap items as a string': 'Error: FanOutMap \'Lines\': items must be an ItemSource (got string "$.lines"); write items: ItemSource.jsonArray(\'$.lines\') (or another ItemSource factory)',
    'FanOutMap processor as a function': expect.stringMatching(/^Error: FanOutMap 'Lines': processor must be a FanOutProcessor \(got an? \w+\); write processor: FanOutProcessor\.lambda\(fn\) for a function, or FanOutProcessor\.chain\(states\) for states$/),
  });
});
