import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { synthEdgeCases, synthExampleApp, synthTrading, tempDir } from './example-assembly';
import { main } from '../../cli/main';

let assembly: string;
let edgeCases: string;
beforeAll(() => {
  assembly = synthExampleApp();
  edgeCases = synthEdgeCases();
});

/** Runs the command line in `cwd`, capturing what it prints. */
async function cli(args: string[], cwd = tempDir('cwd')) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: l => out.push(l), err: l => err.push(l), cwd });
  return { code, out: out.join('\n'), err: err.join('\n'), cwd };
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('diagram', () => {
  test('writes an SVG and a Mermaid flowchart of every state machine', async () => {
    const { code, out, cwd } = await cli(['diagram', '--app', assembly, '--out', 'pictures']);
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'pictures/OrderWorkflowExample-OrderWorkflow.svg',
      'pictures/OrderWorkflowExample-OrderWorkflow.mmd',
      'pictures/QuoteWorkflowExample-QuoteWorkflow.svg',
      'pictures/QuoteWorkflowExample-QuoteWorkflow.mmd',
      'pictures/CheckoutExample-Checkout.svg',
      'pictures/CheckoutExample-Checkout.mmd',
    ]);
    const svg = fs.readFileSync(path.join(cwd, 'pictures/OrderWorkflowExample-OrderWorkflow.svg'), 'utf8');
    for (const state of ['Validate order', 'In stock?', 'Reserve items', 'Reserve item', 'Confirm', 'Notify customer', 'Record order', 'Order placed', 'Nothing to ship', 'Order rejected']) {
      expect(svg).toContain(`data-state="${state}"`);
    }
    expect(svg).toContain('>$.inStock == true</text>');
    expect(svg).toContain('>catch InvalidOrder</text>');
    expect(svg).not.toMatch(/<script|href="http|@import|url\(http/);
    const mmd = fs.readFileSync(path.join(cwd, 'pictures/QuoteWorkflowExample-QuoteWorkflow.mmd'), 'utf8');
    expect(mmd).toMatch(/^flowchart TD\n/);
    expect(mmd).toContain('-->|"$.quantity #gt;= 100"|');
  });

  test('fails when there is no cloud assembly', async () => {
    const { code, err } = await cli(['diagram', '--app', 'nowhere']);
    expect(code).toBe(1);
    expect(err).toBe("cdk-workflow-patterns: no cloud assembly at nowhere (no manifest.json there): run 'cdk synth' first, or give its folder with --app");
  });
});

describe('run', () => {
  test('runs a state machine from its synthesized code, prints the history and writes the report', async () => {
    const dir = tempDir('run');
    const input = writeJson(dir, 'order.json', { orderId: 'o-1', items: ['book', 'lamp'] });
    const { code, out, cwd } = await cli(['run', 'OrderWorkflowExample/OrderWorkflow', '--app', assembly, '--input', input], dir);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^#\s+state\s+type\s+time\s+retries\s+caught error\s+input\s+output$/);
    expect(lines.slice(2, 11).map(l => l.split(/\s{2,}/).slice(1, 3))).toEqual([
      ['Validate order', 'Task'], ['In stock?', 'Choice'], ['Reserve items', 'Map'], ['Reserve item', 'Task'], ['Reserve item', 'Task'],
      ['Confirm', 'Parallel'], expect.arrayContaining([expect.stringMatching(/^(Notify customer|Record order)$/)]),
      expect.arrayContaining([expect.stringMatching(/^(Notify customer|Record order)$/)]), ['Order placed', 'Succeed'],
    ]);
    expect(out).toContain('OrderWorkflowExample/OrderWorkflow: SUCCEEDED\n9 state transitions; estimated cost $0.000225 per execution ($225.00 per million, Standard)');
    // The final output, whole.
    expect(out).toContain('\noutput: {\n  "orderId": "o-1",\n');
    const reportLine = /\nreport: (OrderWorkflowExample-OrderWorkflow\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.report\.html)$/.exec(out);
    expect(reportLine).not.toBeNull();
    const report = fs.readFileSync(path.join(cwd, reportLine![1]), 'utf8');
    expect(report).toContain('<dd id="transitions">9</dd>');
    expect(report).toContain('&quot;reservations&quot;: [');
  });

  test('writes a report of its own for each run, unless --report names one', async () => {
    const dir = tempDir('reports');
    const input = writeJson(dir, 'order.json', { orderId: 'o-1', items: ['book'] });
    const reports = [];
    for (let i = 0; i < 3; i++) {
      const { code, out } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--input', input], dir);
      expect(code).toBe(0);
      reports.push(/\nreport: (.*)$/.exec(out)![1]);
    }
    expect(new Set(reports).size).toBe(3);
    expect(fs.readdirSync(dir).filter(f => f.endsWith('.report.html'))).toHaveLength(3);
  });

  test('prints the history\'s time on the virtual clock, and the duration of a state that took time', async () => {
    const { code, out } = await cli(['run', 'Waiter', '--app', edgeCases]);
    expect(code).toBe(0);
    expect(out).toMatch(/1\s+Pause\s+Wait\s+(\d\d):(\d\d):(\d\d)\.\d{3} \(1 min 30 s\)/);
    expect(out).toMatch(/2\s+After\s+Pass\s+\d\d:\d\d:\d\d\.\d{3}\s+\{/);
    expect(out).not.toContain('+0 ms');
  });

  test('prints what the functions printed, with the function and the state, and puts it in the report', async () => {
    const dir = tempDir('run');
    const input = writeJson(dir, 'order.json', { orderId: 'o-7' });
    const quiet = await cli(['run', 'EdgeCases/Chatty', '--app', edgeCases, '--input', input], dir);
    expect(quiet.out).toContain('\nthe functions printed 2 lines: --logs shows them (the report has them)\n');
    expect(quiet.out).not.toContain('pricing order');
    const { code, out, cwd } = await cli(['run', 'EdgeCases/Chatty', '--app', edgeCases, '--input', input, '--logs'], dir);
    expect(code).toBe(0);
    expect(out).toMatch(/what the functions printed \(2 lines\):\n {2}ChattyFn\w+ \(Price\) log: pricing order o-7\n {2}ChattyFn\w+ \(Price\) error: no discount\n/);
    const report = fs.readFileSync(path.join(cwd, /\nreport: (.*)$/.exec(out)![1]), 'utf8');
    expect(report).toMatch(/<pre id="logs">ChattyFn\w+ \(Price\) log: pricing order o-7\nChattyFn\w+ \(Price\) error: no discount<\/pre>/);
  });

  test('plays a mocked sequence: throttled twice, then a value, retried by the Lambda retry', async () => {
    const dir = tempDir('mocks');
    const input = writeJson(dir, 'order.json', { orderId: 'o-2', items: ['book'] });
    const mocks = writeJson(dir, 'mocks.json', {
      states: {
        'Reserve item': {
          sequence: [
            { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' },
            { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' },
            { result: { item: 'book', reserved: 'mocked' } },
          ],
        },
      },
    });
    const { code, out, cwd } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--input', input, '--mocks', mocks, '--report', 'out/r.html'], dir);
    expect(code).toBe(0);
    expect(out).toMatch(/Reserve item\s+Task\s+\d\d:\d\d:\d\d\.\d{3}( \(\d+(\.\d+)? m?s\))?\s+2 \(Lambda.TooManyRequestsException\)/);
    expect(out).toContain('10 state transitions'); // 8 states entered + 2 retries
    expect(fs.readFileSync(path.join(cwd, 'out/r.html'), 'utf8')).toContain('&quot;reserved&quot;: &quot;mocked&quot;');
  });

  test('reports a caught error and exits 2 when the execution fails', async () => {
    const dir = tempDir('failed');
    const input = writeJson(dir, 'order.json', { items: ['book'] });
    const { code, out } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--input', input], dir);
    expect(code).toBe(2);
    expect(out).toMatch(/Validate order\s+Task\s+\d\d:\d\d:\d\d\.\d{3}\s+InvalidOrder → Order rejected/);
    expect(out).toContain('OrderWorkflowExample/OrderWorkflow: FAILED (OrderRejected: orderId is missing)');
  });

  test('decides callbacks and answers service tasks from the mocks file', async () => {
    const dir = tempDir('callbacks');
    const mocks = writeJson(dir, 'mocks.json', {
      resources: { 'arn:aws:states:::sns:publish': { result: { MessageId: 'm-1' } } },
      callbacks: { 'Wait for approval': { failure: { error: 'Rejected', cause: 'no budget' } } },
    });
    const { code, out } = await cli(['run', 'Approvals', '--app', edgeCases, '--mocks', mocks], dir);
    expect(code).toBe(2);
    expect(out).toMatch(/Announce\s+Task/);
    expect(out).toContain('FAILED (Rejected: no budget)');
  });

  describe('a StockTradingWorkflow, designated by its construct id', () => {
    let trading: string;
    beforeAll(() => {
      trading = synthTrading();
    });

    test('callbacks alone decide its ApprovalGate; the library\'s functions run offline', async () => {
      const dir = tempDir('gate');
      const input = writeJson(dir, 'trade.json', { tradeId: 't-1', companyId: 'ACME', amount: 1000 });
      const decision = { decision: 'APPROVED', approver: 'desk@example.com', comment: null, decidedAt: '2026-11-29T10:00:00Z', requestId: 'r-1' };
      const mocks = writeJson(dir, 'mocks.json', { callbacks: { 'Approve trade': { success: decision } } });
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      const { code, out, err } = await cli(['run', 'Trades', '--app', trading, '--input', input, '--mocks', mocks], dir);
      log.mockRestore();
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toContain('Desk/Trades/Workflow: SUCCEEDED');
      expect(out).toMatch(/Approve trade\s+Task/);
      expect(out).toMatch(/Execute trade\s+Task/);
      expect(out).toMatch(/Trade successful\s+Succeed/);
    });

    test('a failed path shows its Fail state as a Fail', async () => {
      const dir = tempDir('gate');
      const input = writeJson(dir, 'trade.json', { tradeId: 't-2', companyId: 'ACME', amount: 1000 });
      const mocks = writeJson(dir, 'mocks.json', { callbacks: { 'Approve trade': { failure: { error: 'States.Timeout' } } } });
      const { code, out } = await cli(['run', 'Trades', '--app', trading, '--input', input, '--mocks', mocks], dir);
      expect(code).toBe(2);
      expect(out).toMatch(/Approve trade\s+Task\s+\d\d:\d\d:\d\d\.\d{3}\s+States.Timeout → Approve trade: expired/);
      expect(out).toMatch(/Trade not approved\s+Fail/);
    });
  });

  test('prices an Express workflow by request and duration', async () => {
    const dir = tempDir('express');
    const input = writeJson(dir, 'quote.json', { product: 'lamp', quantity: 3 });
    const { code, out } = await cli(['run', 'QuoteWorkflow', '--app', assembly, '--input', input, '--duration', '250', '--memory', '128'], dir);
    expect(code).toBe(0);
    // 1e-6 + 0.3 s × 0.125 GB × 0.00001667
    expect(out).toContain('estimated cost $0.00000163 per execution ($1.63 per million, Express)');
  });

  test('--http sends an HTTP task\'s request to a local stand-in, and prints the path its answer led to', async () => {
    const answers = [503, 402];
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url} ${req.headers['x-api-key']}`);
      res.writeHead(answers[Math.min(received.length - 1, answers.length - 1)], { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const dir = tempDir('http');
      const input = writeJson(dir, 'basket.json', { amount: 4200, card: 'tok_visa' });
      const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { code, out } = await cli(['run', 'Checkout', '--app', assembly, '--input', input, '--http', `https://api.payments.example.com=${local}`], dir);
      expect(code).toBe(2);
      expect(out).toContain('CheckoutExample/Checkout: FAILED (CardDeclined: The payment provider declined the card (402))');
      // A 503, retried; then the 402, caught.
      expect(received).toEqual(['POST /v1/charges test-credential', 'POST /v1/charges test-credential']);
    } finally {
      server.close();
    }
  });

  test('fails when an HTTP task\'s URL is not given with --http, naming the option; and when --http is malformed', async () => {
    const dir = tempDir('http-unmapped');
    const input = writeJson(dir, 'basket.json', { amount: 4200, card: 'tok_visa' });
    const unmapped = await cli(['run', 'Checkout', '--app', assembly, '--input', input], dir);
    expect(unmapped.code).toBe(1);
    expect(unmapped.err).toContain("HTTP task 'Charge card' calls POST https://api.payments.example.com/v1/charges, which this run does not map to a local address");
    expect(unmapped.err).toContain('--http https://api.payments.example.com=http://127.0.0.1:<port>');
    const malformed = await cli(['run', 'Checkout', '--app', assembly, '--http', 'https://api.payments.example.com']);
    expect(malformed.code).toBe(1);
    expect(malformed.err).toContain('--http https://api.payments.example.com: give the API\'s URL and the local address it goes to');
    const remote = await cli(['run', 'Checkout', '--app', assembly, '--http', 'https://api.payments.example.com=http://10.1.2.3:80']);
    expect(remote.err).toMatch(/--http: 'https:\/\/api.payments.example.com' is mapped to http:\/\/10.1.2.3:80, which is not on this machine/);
  });

  test('fails when the state machine is unknown, listing the ones there are', async () => {
    const { code, err } = await cli(['run', 'Nope', '--app', assembly]);
    expect(code).toBe(1);
    expect(err).toMatch(/^cdk-workflow-patterns: no state machine 'Nope' in .*; the state machines there are:\n {2}OrderWorkflowExample\/OrderWorkflow \(logical id OrderWorkflow\w+\)\n {2}QuoteWorkflowExample\/QuoteWorkflow \(logical id QuoteWorkflow\w+\)\n {2}CheckoutExample\/Checkout \(logical id Checkout\w+\)$/);
  });

  test('fails when the input file is not JSON', async () => {
    const dir = tempDir('bad-input');
    const input = writeJson(dir, 'order.json', '{ orderId: ');
    const { code, err } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--input', input], dir);
    expect(code).toBe(1);
    expect(err).toMatch(/^cdk-workflow-patterns: input file .*order\.json is not valid JSON: /);
  });

  test('fails when the input file does not exist', async () => {
    const { code, err } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--input', 'missing.json']);
    expect(code).toBe(1);
    expect(err).toMatch(/input file .*missing\.json does not exist$/);
  });

  test.each([
    [{ states: { 'Reserve item': { value: 1 } } }, 'mocks.json: states["Reserve item"]: expected { "result": ... } or { "error": "Name", "cause": "..." } (got keys value)'],
    [{ states: { 'Reserve item': { sequence: [] } } }, 'mocks.json: states["Reserve item"]: "sequence" must be a non-empty array'],
    [{ callbacks: { 'Reserve item': { approve: true } } }, 'mocks.json: callbacks["Reserve item"]: expected { "success": value } or { "failure": { "error": "Name", "cause": "..." } } (got {"approve":true})'],
    [{ state: {} }, 'mocks.json: unknown key "state" (expected "states", "resources", "callbacks")'],
    [[], 'mocks.json: expected a JSON object with "states", "resources" and/or "callbacks"'],
  ])('fails when the mocks file is malformed: %j', async (doc, message) => {
    const dir = tempDir('bad-mocks');
    writeJson(dir, 'mocks.json', doc);
    const { code, err } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--mocks', 'mocks.json'], dir);
    expect(code).toBe(1);
    expect(err).toBe(`cdk-workflow-patterns: malformed mocks file ${message}`);
  });

  test('fails when the mocks file names a state that is not a Task of the state machine', async () => {
    const dir = tempDir('typo');
    writeJson(dir, 'mocks.json', { states: { 'Reserve itme': { result: 1 } } });
    const { code, err } = await cli(['run', 'OrderWorkflow', '--app', assembly, '--mocks', 'mocks.json'], dir);
    expect(code).toBe(1);
    expect(err).toBe('cdk-workflow-patterns: mocks.json: states["Reserve itme"] is not a Task state of OrderWorkflowExample/OrderWorkflow'
      + ' (Task states: Validate order, Reserve item, Notify customer)');
  });

  test('fails when a task has neither a mock nor code that runs offline, naming the state', async () => {
    const { code, err } = await cli(['run', 'Approvals', '--app', edgeCases]);
    expect(code).toBe(1);
    expect(err).toBe("cdk-workflow-patterns: state 'Announce' has no mock (resource arn:aws:states:::sns:publish, with no code that runs offline):"
      + ' add "states": { "Announce": { "result": ... } } or "resources": { "arn:aws:states:::sns:publish": { "result": ... } } to the mocks file');
  });

  test('fails when a callback task has no decision, naming the state', async () => {
    const dir = tempDir('no-callback');
    writeJson(dir, 'mocks.json', { states: { 'Announce': { result: {} }, 'Wait for approval': { result: {} } } });
    const { code, err } = await cli(['run', 'Approvals', '--app', edgeCases, '--mocks', 'mocks.json'], dir);
    expect(code).toBe(1);
    expect(err).toBe("cdk-workflow-patterns: state 'Wait for approval' waits for a task token (arn:aws:states:::sns:publish.waitForTaskToken)"
      + ' and has no decision: add "callbacks": { "Wait for approval": { "success": {...} } } (or "failure") to the mocks file');
  });

  test('runs workflow variables', async () => {
    const { code, out } = await cli(['run', 'Variables', '--app', edgeCases]);
    expect(code).toBe(0);
    expect(out).toContain('EdgeCases/Variables: SUCCEEDED');
    expect(out).toMatch(/Recall\s+Pass\s+\d\d:\d\d:\d\d\.\d{3}\s+\{\}\s+\{"seen":true\}/);
    expect(out).toMatch(/\noutput: \{\n {2}"seen": true\n\}\n/);
  });

  test('runs a Distributed Map over a local S3 folder (--s3) and writes the result for scripts (--json)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-s3-'));
    // The folder of the bucket EdgeCases/Items.
    fs.mkdirSync(path.join(dir, 'EdgeCases-Items'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'EdgeCases-Items', 'items.json'), JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }]));
    const json = path.join(dir, 'result.json');
    const { code, out } = await cli(['run', 'Reader', '--app', edgeCases, '--s3', dir, '--json', json]);
    expect(code).toBe(0);
    expect(out).toContain("map run of 'Each': 3 items (3 succeeded, 0 failed, 0 not run) in 3 STANDARD child executions");
    const written = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(written).toMatchObject({ status: 'SUCCEEDED', output: [{ n: 1 }, { n: 2 }, { n: 3 }], transitions: 1 });
    expect(written.events.map((e: any) => e.type)).toEqual([
      'ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
    ]);
  });

  test('reports the missing object when a Distributed Map runs without --s3: every bucket of the app exists, empty', async () => {
    const { code, out } = await cli(['run', 'Reader', '--app', edgeCases]);
    expect(code).toBe(2);
    expect(out).toMatch(/EdgeCases\/Reader: FAILED \(States.ItemReaderFailed: .*The specified key does not exist.*\)/);
  });

  test('runs a FanOutMap that writes its results to its own bucket, from an empty --s3 folder, and keeps them there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-s3-empty-'));
    const input = writeJson(tempDir('labels'), 'parcels.json', { parcels: [{ id: 'p1' }, { id: 'p2' }] });
    const { code, out, cwd } = await cli(['run', 'Labeller', '--app', edgeCases, '--input', input, '--s3', dir]);
    expect(code).toBe(0);
    const written = /\nresults: s3:\/\/[a-z0-9]+\/(\S+) \((.+)\)\n/.exec(out);
    expect(written).not.toBeNull();
    // Its folder is named after the bucket's construct path, and holds the manifest and the results.
    const folder = fs.readdirSync(dir).find(f => f.startsWith('EdgeCases-Labels-'))!;
    expect(folder).toMatch(/^EdgeCases-Labels-Results?/);
    expect(written![2]).toBe(path.join(dir, folder, written![1]));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, folder, written![1]), 'utf8'));
    const results = manifest.ResultFiles.SUCCEEDED.flatMap((f: { Key: string }) => JSON.parse(fs.readFileSync(path.join(dir, folder, f.Key), 'utf8')));
    expect(results.map((r: { Output: string }) => JSON.parse(r.Output))).toEqual(expect.arrayContaining([expect.anything()]));
    expect(JSON.stringify(results)).toContain('parcel p1');
    expect(JSON.stringify(results)).toContain('parcel p2');
    // Every other bucket of the app has its folder too, so its name can be read there.
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(['EdgeCases-Items']));
    // The estimated cost counts the map run's child executions, as AWS bills them.
    const report = fs.readFileSync(path.join(cwd, /\nreport: (.*)$/.exec(out)![1]), 'utf8');
    expect(report).toMatch(/1 Express child execution: 1 request × \$1\.00 per 1,000,000/);
  });

  test('fails when --s3 is not a folder', async () => {
    const { code, err } = await cli(['run', 'Reader', '--app', edgeCases, '--s3', '/nonexistent/folder']);
    expect(code).toBe(1);
    expect(err).toBe("cdk-workflow-patterns: --s3 /nonexistent/folder: '/nonexistent/folder' is not a folder (give a folder whose subfolders are buckets)");
  });

  test('fails when a Lambda function\'s code needs a module that is not installed, naming the state and the mock to add', async () => {
    const { code, err } = await cli(['run', 'NeedsModule', '--app', edgeCases]);
    expect(code).toBe(1);
    expect(err).toMatch(/^cdk-workflow-patterns: state 'Look up' calls the Lambda function NeedsModuleFn[0-9A-F]+, but its code needs the module 'module-that-is-not-installed', which is not installed here: mock the state instead \(states\['Look up'\], or "states": \{ "Look up": \{ "result": \.\.\. \} \} in a mocks file\)$/);
  });

  test('a mock bypasses the code of a function that could not load', async () => {
    const dir = tempDir('mocks-module');
    const mocks = writeJson(dir, 'mocks.json', { states: { 'Look up': { result: { found: true } } } });
    const { code, out } = await cli(['run', 'NeedsModule', '--app', edgeCases, '--mocks', mocks], dir);
    expect(code).toBe(0);
    expect(out).toContain('EdgeCases/NeedsModule: SUCCEEDED');
  });

  test('fails when the definition uses what the local engine does not run', async () => {
    const { code, err } = await cli(['run', 'OtherRegion', '--app', edgeCases]);
    expect(code).toBe(1);
    expect(err).toBe("cdk-workflow-patterns: engine limitation: EdgeCases/OtherRegion cannot be run locally: state 'Notify Ireland': the Resource 'arn:aws:states:eu-west-1:999999999999:sns:publish' "
      + 'names region eu-west-1 and account 999999999999, but the execution runs in us-east-1 and 123456789012: Step Functions does not call a service integration in another region or account');
  });
});

describe('command line', () => {
  test('prints its usage on --help', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: cdk-workflow-patterns <command> \[options\]/);
    expect(out).toContain('run STATE_MACHINE [--input FILE] [--mocks FILE]');
  });

  test('fails on an unknown command or option', async () => {
    expect((await cli(['draw'])).err).toMatch(/^cdk-workflow-patterns: unknown command 'draw' \(commands: diagram, run, serve\)/);
    const unknownOption = await cli(['diagram', '--colour']);
    expect(unknownOption.code).toBe(1);
    expect(unknownOption.err).toMatch(/^cdk-workflow-patterns: Unknown option '--colour'/);
    expect((await cli(['run'])).err).toMatch(/^cdk-workflow-patterns: run takes one state machine \(got none\)/);
  });
});
