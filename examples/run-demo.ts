/**
 * The demo's second half: reads the synthesized example app, draws every state machine and runs
 * every scenario locally with the command-line tool's code, printing the states taken and the
 * transition count, and writing into demo-output/ a diagram (SVG and Mermaid) per state machine
 * and an HTML report per execution.
 *
 * Usage: ts-node examples/run-demo.ts [cdk.out] [demo-output]
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { SCENARIOS } from './scenarios';
import { loadStateMachines, slugOf, writeDiagrams, writeReport } from '../cli/main';
import { activityHandlers } from '../src/testing/activities';
import { placeholderFor } from '../src/testing/asl';
import { containerHandlers } from '../src/testing/containers';
import { execute, logLines, readableCause } from '../src/testing/execution';
import { CallbackHandler, LocalS3, TaskHandler } from '../src/testing/local-execution';
import { ApprovalSimulator, gateFunctionsIn } from '../test/support/approval-simulator';
import { inProcessFunctions } from '../test/support/assembly';
import { FakeDynamoDB } from '../test/support/fake-dynamodb';

async function main(assemblyDir: string, outDir: string): Promise<number> {
  // The handlers' AWS SDK clients run against in-memory fakes here: its Node.js version notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const machines = loadStateMachines(assemblyDir);
  const diagrams = writeDiagrams(machines, path.join(outDir, 'diagrams'));
  console.log(`${diagrams.length} diagram files in ${path.join(outDir, 'diagrams')}`);
  let failures = 0;
  for (const machine of machines) {
    const scenarios = SCENARIOS.filter(s => s.stateMachine === machine.path);
    console.log(`\n${machine.path} (${machine.stack}, ${Object.keys(machine.asl.States).length} top-level states)`);
    if (scenarios.length === 0) {
      console.log('  no demo scenario for this state machine');
      continue;
    }
    for (const scenario of scenarios) {
      // ApprovalGates: their real handlers, in-memory AWS services, a scripted approver.
      // Tables of the state machine's stack (the approval records, the sample trades) live in memory.
      const ddb = new FakeDynamoDB();
      ddb.addTablesOf(machine.template);
      const simulator = scenario.approvals ? new ApprovalSimulator(ddb) : undefined;
      const resources: Record<string, TaskHandler> = { ...scenario.resources };
      const callbacks: Record<string, CallbackHandler> = { ...scenario.callbacks };
      for (const [state, script] of Object.entries(scenario.approvals ?? {})) {
        const functions = gateFunctionsIn(machine.template, machine.asl, state, inProcessFunctions(assemblyDir, machine.template));
        const gate = simulator!.gate(state, functions, script);
        Object.assign(resources, gate.resources);
        Object.assign(callbacks, gate.callbacks);
      }
      // What the functions log is shown under the execution, indented.
      const logged: string[] = [];
      const consoleLog = console.log;
      console.log = (...args: unknown[]) => { logged.push(args.map(String).join(' ')); };
      const s3 = localS3For(machine.template, scenario.s3 ?? {});
      const api = scenario.httpStandIn ? await startStandIn(scenario.httpStandIn.answers) : undefined;
      const httpEndpoints = api ? { [scenario.httpStandIn!.apiRoot]: api.url } : undefined;
      const states = { ...activityHandlers(machine.asl, scenario.activities), ...containerHandlers(machine.asl, scenario.containers) };
      const execution = await execute(assemblyDir, machine, { input: scenario.input, states, resources, callbacks, s3, httpEndpoints })
        .finally(async () => {
          console.log = consoleLog;
          simulator?.restore();
          ddb.restore();
          await api?.stop();
        });
      const result = execution.result;
      const report = path.join(outDir, 'reports', `${slugOf(machine)}--${scenario.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}.html`);
      writeReport(execution, report);
      const ok = result.status === scenario.expectStatus && (scenario.expectError === undefined || result.error === scenario.expectError);
      if (!ok) failures++;
      const outcome = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : `${result.status} (${result.error}: ${readableCause(result.cause)})`;
      console.log(`  ${ok ? '✓' : '✗'} ${scenario.name}: ${outcome}, ${result.transitions} state transitions${ok ? '' : ` (expected ${scenario.expectStatus}${scenario.expectError ? ` with ${scenario.expectError}` : ''})`}`);
      console.log(`      ${result.path.join(' → ')}`);
      // One line per state and error: a compensation retried ten times is one line, not ten.
      const retried = new Map<string, number>();
      for (const r of result.retries) retried.set(`${r.state}\u0000${r.error}`, (retried.get(`${r.state}\u0000${r.error}`) ?? 0) + 1);
      for (const [key, times] of retried) {
        const [state, error] = key.split('\u0000');
        console.log(`      retried ${state} after ${error} (${times === 1 ? 'once' : `${times} times`})`);
      }
      for (const c of result.catches) console.log(`      caught ${c.error} in ${c.state} → ${c.next}`);
      if (api) console.log(`      the stand-in API answered ${api.answered.map(a => a).join(', ')}`);
      if (simulator) {
        console.log(`      ${simulator.messages.length} message(s) published; endpoint pages: ${simulator.pages.map(p => `${p.method} ${p.statusCode} "${p.title}"`).join(', ')}`);
      }
      for (const run of result.mapRuns) {
        const c = run.itemCounts;
        console.log(`      map run of '${run.state}': ${c.total} items (${c.succeeded} succeeded, ${c.failed + c.timedOut} failed) in ${run.executions.length} ${run.executionType} child executions`);
      }
      for (const bucket of s3.bucketNames()) {
        for (const key of s3.keys(bucket).filter(k => k.endsWith('manifest.json'))) console.log(`      results: s3://${bucket}/${key} (${s3.keys(bucket, key.replace(/manifest\.json$/, '')).length - 1} result file(s) beside it)`);
      }
      for (const child of result.children) console.log(`      child ${child.executionArn.split(':').slice(-3).join(':')}: ${child.status}, ${child.transitions} state transitions, output ${JSON.stringify(child.output)}`);
      for (const line of [...logged, ...logLines(execution)]) console.log(`      log: ${line}`);
      console.log(`      report: ${report}`);
    }
  }
  const unknown = SCENARIOS.filter(s => !machines.some(m => m.path === s.stateMachine));
  for (const s of unknown) {
    console.log(`✗ scenario '${s.name}' names state machine '${s.stateMachine}', which is not in ${assemblyDir}`);
    failures++;
  }
  console.log(`\n${SCENARIOS.length - failures} of ${SCENARIOS.length} executions ended as expected.`);
  return failures === 0 ? 0 : 1;
}

/** An HTTP server on 127.0.0.1 that answers in turn (the last answer repeats), for a workflow's HttpTask. */
async function startStandIn(answers: ReadonlyArray<{ status: number; body?: unknown }>) {
  const answered: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = answers[Math.min(answered.length, answers.length - 1)];
      answered.push(`${req.method} ${req.url} → ${answer.status}`);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/** A local S3 with every bucket of the template, and the scenario's objects (buckets named by construct path). */
function localS3For(template: { Resources?: Record<string, any> }, objects: Record<string, Record<string, string>>): LocalS3 {
  const s3 = new LocalS3();
  const buckets = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
  for (const [id] of buckets) s3.createBucket(placeholderFor(id, 'AWS::S3::Bucket'));
  for (const [constructPath, files] of Object.entries(objects)) {
    const found = buckets.find(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').replace(/\/Resource$/, '') === constructPath);
    if (!found) throw new Error(`no bucket '${constructPath}' in the template`);
    for (const [key, body] of Object.entries(files)) s3.putObject(placeholderFor(found[0], 'AWS::S3::Bucket'), key, body);
  }
  return s3;
}

main(process.argv[2] ?? 'cdk.out', process.argv[3] ?? 'demo-output').then(code => process.exit(code), (e: Error) => {
  console.error(`demo: ${e.message}`);
  process.exit(1);
});
