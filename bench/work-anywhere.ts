/**
 * State transitions per execution of the tasks that run work hosted anywhere: the checkout example
 * (HttpTask, against a stand-in payments API on 127.0.0.1), the label printer (ActivityTask, the
 * worker's own handler) and the nightly report (ContainerTask, a function for the container), each
 * path run with the testing toolkit on the local engine, so every count is measured.
 *
 *   npm run bench -- --section 10     # this section alone, replaced in bench/RESULTS.md
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { App } from 'aws-cdk-lib';
import { table } from './stats';
import { CheckoutStack } from '../examples/checkout';
import { LabelPrinterStack } from '../examples/label-printer';
import { printLabel } from '../examples/label-printer-worker';
import { NightlyReportStack } from '../examples/nightly-report';
import { TaskOutcome } from '../src/engine';
import { formatUsd, standardCost } from '../src/testing/cost';
import { RunOptions, runWorkflow } from '../src/testing/local-workflow';
import { mockState } from '../src/testing/mocking';

interface Path {
  readonly construct: string;
  readonly path: string;
  readonly run: () => Promise<{ status: string; error?: string; transitions: number; retries: number }>;
}

const PAYMENTS = 'https://api.payments.example.com';

/** Runs the checkout against a stand-in that answers in turn (the last answer repeats). */
async function withPayments(answers: number[], run: (endpoints: Record<string, string>) => Promise<any>) {
  let served = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(answers[Math.min(served++, answers.length - 1)], { 'content-type': 'application/json' });
    res.end('{"id":"ch_1"}');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    return await run({ [PAYMENTS]: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  } finally {
    await new Promise<void>(resolve => server.close(() => resolve()));
  }
}

async function outcome(construct: any, options: RunOptions) {
  const r = await runWorkflow(construct, options);
  return { status: r.status, error: r.error, transitions: r.transitions, retries: r.retries.length };
}

export function paths(): Path[] {
  const checkout = () => new CheckoutStack(new App(), 'Checkout').workflow;
  const labels = () => new LabelPrinterStack(new App(), 'Labels').workflow;
  const nightly = () => new NightlyReportStack(new App(), 'Nightly').workflow;
  const basket = { amount: 4200, card: 'tok_visa' };
  const charge = (answers: number[]) => () => withPayments(answers, httpEndpoints => outcome(checkout(), { input: basket, httpEndpoints }));
  return [
    { construct: 'HttpTask (checkout)', path: 'paid (201)', run: charge([201]) },
    { construct: 'HttpTask (checkout)', path: 'declined (402, caught)', run: charge([402]) },
    { construct: 'HttpTask (checkout)', path: '503 once, then paid', run: charge([503, 201]) },
    { construct: 'HttpTask (checkout)', path: '503 through every retry (caught)', run: charge([503]) },
    {
      construct: 'ActivityTask (label printer)',
      path: 'printed',
      run: () => outcome(labels(), { input: { orderId: 'o-1', address: '1 Main St' }, activities: { 'Print label': printLabel } }),
    },
    {
      construct: 'ActivityTask (label printer)',
      path: 'out of paper (caught)',
      run: () => outcome(labels(), { input: { orderId: 'o-1', address: 'tray empty' }, activities: { 'Print label': printLabel } }),
    },
    {
      construct: 'ActivityTask (label printer)',
      path: 'a handler that never ends (times out)',
      run: () => outcome(labels(), { input: { orderId: 'o-1', address: '1 Main St' }, activities: { 'Print label': () => new Promise(() => undefined) } }),
    },
    {
      construct: 'ActivityTask (label printer)',
      path: 'the worker dies (no heartbeat), retried twice',
      run: () => outcome(labels(), { input: { orderId: 'o-1', address: '1 Main St' }, mocks: [mockState('Print label', () => TaskOutcome.never())] }),
    },
    { construct: 'ContainerTask (nightly report)', path: 'built (exit 0)', run: () => outcome(nightly(), { input: { day: 'd' }, containers: { 'Build report': () => 0 } }) },
    { construct: 'ContainerTask (nightly report)', path: 'the container exits 1 (caught)', run: () => outcome(nightly(), { input: { day: 'd' }, containers: { 'Build report': () => 1 } }) },
  ];
}

export async function workAnywhereSection(): Promise<string[]> {
  const rows: string[][] = [];
  for (const p of paths()) {
    const r = await p.run();
    rows.push([p.construct, p.path, r.status === 'SUCCEEDED' ? 'SUCCEEDED' : `${r.status} (${r.error})`, String(r.transitions), String(r.retries), formatUsd(standardCost(r.transitions).usd * 1_000_000)]);
  }
  return [
    '## 10. Work hosted anywhere: state transitions per path',
    'bench/work-anywhere.ts: the checkout (examples/checkout.ts, an HttpTask against a stand-in payments API on 127.0.0.1), the label printer '
    + '(examples/label-printer.ts, an ActivityTask answered by the worker\'s own handler) and the nightly report (examples/nightly-report.ts, a '
    + 'ContainerTask, a function standing for the container), each path run with the testing toolkit on the local engine. A retry counts as a '
    + 'transition. Cost: Standard transitions per 1,000,000 executions (the HTTP call, the activity worker and the Fargate task are billed on top).',
    table(['construct', 'path', 'outcome', 'transitions', 'of which retries', 'per 1M executions'], rows),
  ];
}
