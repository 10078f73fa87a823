/**
 * startLocalStepFunctions as plain JavaScript calls it: every wrong option refused with the option,
 * the value and what to give, never an internal TypeError and never silently ignored.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startLocalStepFunctions } from '../../../src/testing';
import { tempDir } from '../../cli/example-assembly';

describe('startLocalStepFunctions fails clearly', () => {
  test.each([
    [null, 'the options must be an object (got null)'],
    [{ prot: 8083 }, "'prot' is not an option (did you mean 'port'?)"],
    [{ mock: 'x.json' }, "'mock' is not an option (did you mean 'mocks'?)"],
    [{ port: '8083' }, 'port must be a port number, 0 to 65535 (0 takes a free one) (got "8083")'],
    [{ port: 70000 }, 'port must be a port number, 0 to 65535 (0 takes a free one) (got 70000)'],
    [{ time: 'fast' }, 'time must be \'real\' or \'virtual\' (got "fast")'],
    [{ app: 42 }, "app must be the folder of a cloud assembly, such as 'cdk.out' (got 42)"],
    [{ app: 'nowhere' }, "no cloud assembly at nowhere (no manifest.json there): run 'cdk synth' first, or give its folder as app"],
    [{ mocks: 'missing.json' }, 'the mocks file missing.json does not exist'],
    [{ mocks: [1] }, 'mocks must be the path of a mocks file or its parsed content, an object (got [1])'],
    [{ mocks: { StateMachines: { M: {} } } }, 'StateMachines["M"]: must be an object with "TestCases"'],
    [{ mocks: { states: 'x' } }, 'mocks'],
    [{ s3: 5 }, 's3 must be a folder of buckets or a LocalS3 (got 5)'],
    [{ s3: '/nonexistent-folder' }, "s3: '/nonexistent-folder' is not a folder"],
    [{ activityPollSeconds: 0 }, 'activityPollSeconds must be a number of seconds, more than 0 and at most 60 (got 0)'],
    [{ httpEndpoints: { 'https://api.example.com': 'http://192.0.2.1:80' } }, 'httpEndpoints'],
    [{ httpEndpoints: { 'https://api.example.com': 'http://127.0.0.1.attacker.example:9099' } }, 'which is not on this machine'],
    [{ httpEndpoints: { 'https://api.example.com': 'http://127.0.0.1.nip.io' } }, 'which is not on this machine'],
  ])('%j', async (options, message) => {
    // One that starts when it should not is stopped, so that the test fails instead of hanging.
    await expect(startLocalStepFunctions(options as any).then(async started => started.stop())).rejects.toThrow(message);
  });

  test('a mocks file that is not JSON', async () => {
    const file = path.join(tempDir('mocks'), 'm.json');
    fs.writeFileSync(file, '{ nope');
    await expect(startLocalStepFunctions({ mocks: file })).rejects.toThrow(`the mocks file ${file} is not JSON`);
  });
});
