/**
 * Opens a generated report in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core, which downloads no browser) and checks what a reader sees.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, Browser } from 'playwright-core';
import { synthExampleApp, tempDir } from './example-assembly';
import { findStateMachine, loadStateMachines, main } from '../../cli/main';
import { allStates } from '../../src/testing/local-execution';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(__dirname, '..', '..', 'test-reports', 'order-workflow-report.png');

let browser: Browser;
beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the report test needs Chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (.ci/run does)`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

test('a report draws every state, highlights the path taken and lists the history in order', async () => {
  const assembly = synthExampleApp();
  const dir = tempDir('browser');
  fs.writeFileSync(path.join(dir, 'order.json'), JSON.stringify({ orderId: 'o-7', items: ['book', 'lamp'] }));
  const lines: string[] = [];
  const code = await main(['run', 'OrderWorkflow', '--app', assembly, '--input', 'order.json', '--report', 'report.html'],
    { out: l => lines.push(l), err: l => lines.push(l), cwd: dir });
  expect(code).toBe(0);

  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`file://${path.join(dir, 'report.html')}`);

  const states = allStates(findStateMachine(loadStateMachines(assembly), 'OrderWorkflow', assembly).asl).map(s => s.name);
  expect(states).toHaveLength(10);
  for (const state of states) {
    const drawn = page.locator(`#diagram svg g.node[data-state="${state}"]`);
    await expect(drawn.count()).resolves.toBe(1);
    expect(await drawn.boundingBox()).toEqual(expect.objectContaining({ width: expect.any(Number) }));
    await expect(drawn.locator('text.name').textContent()).resolves.toBe(state);
  }

  const highlighted = await page.locator('#diagram g.node.taken[data-state]').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-state')));
  expect(highlighted.sort()).toEqual(['Confirm', 'In stock?', 'Notify customer', 'Order placed', 'Record order', 'Reserve item', 'Reserve items', 'Validate order'].sort());
  // The taken path is drawn in the highlight colour; the branches not taken are not.
  const stroke = (state: string) => page.locator(`#diagram g.node[data-state="${state}"] .shape`).evaluate(s => (globalThis as any).getComputedStyle(s).stroke as string);
  await expect(stroke('Validate order')).resolves.toBe('rgb(232, 89, 12)');
  await expect(stroke('Nothing to ship')).resolves.not.toBe('rgb(232, 89, 12)');
  await expect(page.locator('#diagram g.edge.taken').count()).resolves.toBeGreaterThanOrEqual(10);
  await expect(page.locator('#diagram g.edge.edge-catch.taken').count()).resolves.toBe(0);

  const history = await page.locator('#history tbody tr td.state').allTextContents();
  expect(history.slice(0, 6)).toEqual(['Validate order', 'In stock?', 'Reserve items', 'Reserve item', 'Reserve item', 'Confirm']);
  expect(history.slice(6, 8).sort()).toEqual(['Notify customer', 'Record order']);
  expect(history[8]).toBe('Order placed');
  // The virtual clock, not a column of zeros; a long input opens to the whole JSON.
  const times = await page.locator('#history tbody td.time').allTextContents();
  expect(times.every(t => /^\d\d:\d\d:\d\d\.\d{3}( \(.+\))?$/.test(t))).toBe(true);
  const longInput = page.locator('#history tbody tr').nth(5).locator('details.input');
  await expect(longInput.locator('pre').isVisible()).resolves.toBe(false);
  await longInput.locator('summary').click();
  await expect(longInput.locator('pre').isVisible()).resolves.toBe(true);
  const whole = JSON.parse(await longInput.locator('pre').textContent() ?? '');
  expect(whole).toMatchObject({ orderId: 'o-7', reservations: expect.any(Array) });
  await expect(page.locator('dl.summary').textContent()).resolves.toMatch(/9 \(0 retries, 0 caught errors\)/);
  await expect(page.locator('#status').textContent()).resolves.toBe('SUCCEEDED');
  await expect(page.locator('#transitions').textContent()).resolves.toBe('9');
  await expect(page.locator('#cost').textContent()).resolves.toBe('$0.000225 per execution, $225.00 per million executions');

  fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  await page.close();
});
