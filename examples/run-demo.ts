/**
 * The demo's second half: reads the synthesized example app and runs every scenario of every
 * state machine locally, printing the states taken and the transition count.
 *
 * Usage: ts-node examples/run-demo.ts [cdk.out]
 */
import { SCENARIOS } from './scenarios';
import { localFunctions, stateMachinesIn } from '../test/support/assembly';
import { runLocally } from '../test/support/local-execution';

async function main(assemblyDir: string): Promise<number> {
  const machines = stateMachinesIn(assemblyDir);
  let failures = 0;
  for (const machine of machines) {
    const scenarios = SCENARIOS.filter(s => s.stateMachine === machine.path);
    console.log(`\n${machine.path} (${machine.stack}, ${Object.keys(machine.asl.States).length} top-level states)`);
    if (scenarios.length === 0) {
      console.log('  no demo scenario for this state machine');
      continue;
    }
    const functions = localFunctions(assemblyDir, machine.template);
    for (const scenario of scenarios) {
      const result = await runLocally(machine.asl, {
        input: scenario.input,
        resources: { ...functions, ...scenario.resources },
        callbacks: scenario.callbacks,
      });
      const ok = result.status === scenario.expectStatus;
      if (!ok) failures++;
      const outcome = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : `FAILED (${result.error}: ${result.cause})`;
      console.log(`  ${ok ? '✓' : '✗'} ${scenario.name}: ${outcome}, ${result.transitions} state transitions${ok ? '' : ` (expected ${scenario.expectStatus})`}`);
      console.log(`      ${result.path.join(' → ')}`);
      for (const r of result.retries) console.log(`      retried ${r.state} after ${r.error} (attempt ${r.attempt})`);
      for (const c of result.catches) console.log(`      caught ${c.error} in ${c.state} → ${c.next}`);
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

main(process.argv[2] ?? 'cdk.out').then(code => process.exit(code), (e: Error) => {
  console.error(`demo: ${e.message}`);
  process.exit(1);
});
