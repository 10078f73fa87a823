// The local Step Functions endpoint from plain JavaScript, as a user who just ran `npm install` drives it:
// in-process with startLocalStepFunctions, and through the installed command's `serve`. Prints what it saw, as JSON.
const { spawn } = require('child_process');
const path = require('path');
const {
  SFNClient, ListStateMachinesCommand, StartExecutionCommand, StartSyncExecutionCommand, DescribeExecutionCommand,
  GetExecutionHistoryCommand, SendTaskSuccessCommand,
} = require('@aws-sdk/client-sfn');
const { startLocalStepFunctions } = require('cdk-workflow-patterns/testing');

async function settled(client, executionArn, done) {
  for (;;) {
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (done(events, described)) return { events, described };
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

async function inProcess() {
  const sfn = await startLocalStepFunctions({ app: 'cdk.out', port: 0, time: 'virtual' });
  const client = new SFNClient(sfn.clientConfig);
  try {
    const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
    const arn = prefix => stateMachines.find(m => m.name.startsWith(prefix)).stateMachineArn;
    const quote = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn('Quotes'), input: JSON.stringify({ orderId: 'q-1', quantity: 2 }) }));
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: arn('Purchases'), input: JSON.stringify({ orderId: 'o-1', quantity: 2 }) }));
    const waiting = await settled(client, executionArn, events => events.some(e => e.type === 'TaskSubmitted'));
    const scheduled = waiting.events.filter(e => e.type === 'TaskScheduled').pop();
    const token = JSON.parse(scheduled.taskScheduledEventDetails.parameters).Payload.taskToken;
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'APPROVED', decidedBy: 'buyer@example.com' }) }));
    const done = await settled(client, executionArn, (_, d) => d.status !== 'RUNNING');
    let missing;
    try {
      await client.send(new DescribeExecutionCommand({ executionArn: `${executionArn}-nope` }));
    } catch (e) {
      missing = e.name;
    }
    return {
      machines: stateMachines.map(m => m.name.replace(/[0-9A-F]{8}$/, '')).sort(),
      quote: { status: quote.status, output: JSON.parse(quote.output) },
      purchase: done.described.status,
      missing,
    };
  } finally {
    client.destroy();
    await sfn.stop();
  }
}

async function misspelled() {
  try {
    await startLocalStepFunctions({ prot: 8083 });
    return 'started';
  } catch (e) {
    return `${e.constructor.name}: ${e.message}`;
  }
}

function command() {
  return new Promise((resolve, reject) => {
    const bin = path.join('node_modules', 'cdk-workflow-patterns', 'lib', 'cli', 'cdk-workflow-patterns.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0']);
    let out = '';
    child.stdout.on('data', async chunk => {
      out += String(chunk);
      if (!out.includes('try: ')) return;
      try {
        const endpoint = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)[1];
        const client = new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
        const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
        client.destroy();
        child.kill('SIGTERM');
        child.once('exit', code => resolve({ machines: stateMachines.length, exit: code, last: out.trim().split('\n').pop() }));
      } catch (e) {
        child.kill('SIGKILL');
        reject(e);
      }
    });
    child.once('error', reject);
  });
}

(async () => {
  const result = { inProcess: await inProcess(), misspelled: await misspelled(), command: await command() };
  process.stdout.write(JSON.stringify(result));
})().catch(e => {
  console.error(e);
  process.exit(1);
});
