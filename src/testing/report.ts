/**
 * The HTML report of a local execution: the diagram with the path taken, the execution history,
 * the state transitions and the estimated cost. One self-contained file (no script, no external
 * resource).
 */
import { perMillion, formatUsd, PRICING_DATE, PRICING_REGION, PRICING_SOURCE } from './cost';
import { Execution, logLines, shortJson, timeCell } from './execution';
import { clockTime, humanDuration, plural } from './format';
import { escapeXml, toSvg } from './svg';

const CSS = `
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2933;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.status{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:bold;color:#fff}
.status-SUCCEEDED{background:#2e7d32}.status-FAILED{background:#c62828}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:4px 16px;margin:12px 0}
dl.summary dt{font-weight:bold}dl.summary dd{margin:0}
.diagram{overflow:auto;border:1px solid #d9e2ec;border-radius:6px;padding:8px;max-width:100%}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8}tr.outcome-caught td.error{color:#b26a00}tr.outcome-failed td.error{color:#c62828;font-weight:bold}
code,pre{font-family:Menlo,Consolas,monospace;font-size:12px}pre{background:#f7f8fa;padding:8px;border-radius:4px;overflow:auto;max-height:320px}
.note{color:#52606d;font-size:12px}
details>summary{cursor:pointer;list-style-position:outside}details>pre{margin:4px 0 0;max-width:640px;white-space:pre-wrap;word-break:break-all}`;

const json = (value: unknown) => escapeXml(JSON.stringify(value, null, 2) ?? 'undefined');

/** A JSON value in a table cell: one line, cut, that opens to the whole value. */
function jsonCell(value: unknown, which: string): string {
  if (value === undefined) return '';
  const whole = JSON.stringify(value) ?? '';
  const short = shortJson(value, 60);
  if (short === whole) return `<code class="${which}">${escapeXml(short)}</code>`;
  return `<details class="${which}"><summary><code>${escapeXml(short)}</code></summary><pre>${json(value)}</pre></details>`;
}

/** The report of one execution as an HTML document. */
export function renderReport(execution: Execution, title = execution.machine.path): string {
  const { result, history, cost } = execution;
  const startedAt = result.events[0]?.timestamp ?? new Date(0);
  const started = `${startedAt.toISOString().slice(0, 10)} ${clockTime(startedAt)}`;
  const stopped = clockTime(new Date(startedAt.getTime() + result.durationMs));
  const svg = toSvg(execution.graph, { taken: execution.taken, title: `${execution.machine.path}: path taken` });
  const rows = history.map((row, i) => {
    const error = row.outcome === 'caught' ? `${row.error} → ${row.caughtBy}` : row.outcome === 'failed' ? `${row.error} (not caught)` : '';
    const retries = row.retried.length === 0 ? '' : `${row.retried.length} (${[...new Set(row.retried)].join(', ')})`;
    return `<tr class="outcome-${row.outcome}" data-state="${escapeXml(row.state)}">`
      + `<td>${i + 1}</td><td class="state">${escapeXml(row.state)}</td><td>${escapeXml(row.type)}</td>`
      + `<td class="time"><time datetime="${row.startedAt.toISOString()}">${escapeXml(timeCell(row))}</time></td>`
      + `<td>${escapeXml(retries)}</td><td class="error">${escapeXml(error)}</td>`
      + `<td>${jsonCell(row.input, 'input')}</td><td>${jsonCell(row.output, 'output')}</td></tr>`;
  }).join('\n');
  const outcome = result.status === 'SUCCEEDED'
    ? `<h2>Output</h2><pre id="output">${json(result.output)}</pre>`
    : `<h2>Error</h2><pre id="error">${escapeXml(`${result.error ?? ''}: ${result.cause ?? ''}`)}</pre>`;
  const logs = execution.logs.length === 0 ? '' : `<h2>What the functions printed</h2><pre id="logs">${escapeXml(logLines(execution).join('\n'))}</pre>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}: local execution</title><style>${CSS}</style></head>
<body>
<h1>${escapeXml(title)}</h1>
<div><span class="status status-${result.status}" id="status">${result.status}</span>
 <span class="note">${execution.kind === 'EXPRESS' ? 'Express' : 'Standard'} workflow, run locally (stack ${escapeXml(execution.machine.stack)}, logical id ${escapeXml(execution.machine.logicalId)})</span></div>
<dl class="summary">
<dt>State transitions</dt><dd id="transitions">${result.transitions}</dd>
<dt>States entered</dt><dd>${result.path.length} (${plural(result.retries.length, 'retry', 'retries')}, ${plural(result.catches.length, 'caught error')})</dd>
<dt>Virtual time</dt><dd id="virtual-time">${escapeXml(started)} to ${escapeXml(stopped)} UTC (${humanDuration(result.durationMs)}): waits, retry intervals and timeouts take virtual time; the functions' code takes none</dd>
<dt>Estimated cost</dt><dd id="cost">${formatUsd(cost.usd)} per execution, ${perMillion(cost)} per million executions</dd>
<dt>How</dt><dd>${cost.breakdown.map(escapeXml).join('<br>')}</dd>
<dt>Prices</dt><dd class="note">${PRICING_REGION} list prices from <a href="${PRICING_SOURCE}">${PRICING_SOURCE}</a>, read ${PRICING_DATE}; free tiers and the services the tasks call are not included${execution.kind === 'EXPRESS' ? '; the duration of a local run leaves out the time real tasks take' : ''}.</dd>
</dl>
<h2>Path taken</h2>
<div class="diagram" id="diagram">${svg}</div>
<h2>Execution history</h2>
<p class="note">Time: the virtual clock when the state was entered, and how long the state took when it took any. Click an input or an output to see it whole.</p>
<table id="history"><thead><tr><th>#</th><th>State</th><th>Type</th><th>Time</th><th>Retries</th><th>Caught error</th><th>Input</th><th>Output</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${outcome}
<h2>Input</h2><pre id="input">${json(execution.input)}</pre>
${logs}
</body></html>
`;
}
