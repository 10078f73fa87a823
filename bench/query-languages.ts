/**
 * The engine's speed in each query language: one workflow written three ways (JSONPath with
 * ResultPath; JSONata with variables, as AWS recommends writing it; JSONPath with variables), the
 * same states and the same work, run in alternating rounds. Every shape gives the same output.
 */
import { performance } from 'perf_hooks';
import { execute } from '../src/engine';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:price';
const ITEMS = Array.from({ length: 5 }, (_, i) => ({ sku: `sku-${i}`, qty: i + 1 }));

/** Price an order: check it, price each line in a Map, total, branch on the total, record. */
export const SHAPES: Record<string, object> = {
  'JSONPath': {
    StartAt: 'Check',
    States: {
      'Check': { Type: 'Pass', Parameters: { 'orderId.$': '$.orderId', 'lines.$': '$.lines', 'count.$': 'States.ArrayLength($.lines)' }, Next: 'Price lines' },
      'Price lines': {
        Type: 'Map',
        ItemsPath: '$.lines',
        ResultPath: '$.priced',
        Next: 'Total',
        ItemProcessor: { StartAt: 'Price', States: { Price: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, ResultSelector: { 'amount.$': '$.Payload.amount' }, End: true } } },
      },
      'Total': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: FN, Payload: { 'lines.$': '$.priced' } }, ResultSelector: { 'amount.$': '$.Payload.amount' }, ResultPath: '$.total', Next: 'Large?' },
      'Large?': { Type: 'Choice', Choices: [{ Variable: '$.total.amount', NumericGreaterThan: 100, Next: 'Large' }], Default: 'Small' },
      'Large': { Type: 'Pass', Parameters: { 'orderId.$': '$.orderId', 'total.$': '$.total.amount', 'size': 'large' }, End: true },
      'Small': { Type: 'Pass', Parameters: { 'orderId.$': '$.orderId', 'total.$': '$.total.amount', 'size': 'small' }, End: true },
    },
  },
  'JSONata': {
    QueryLanguage: 'JSONata',
    StartAt: 'Check',
    States: {
      'Check': { Type: 'Pass', Assign: { orderId: '{% $states.input.orderId %}', count: '{% $count($states.input.lines) %}' }, Output: '{% $states.input.lines %}', Next: 'Price lines' },
      'Price lines': {
        Type: 'Map',
        Items: '{% $states.input %}',
        Assign: { priced: '{% $states.result %}' },
        Next: 'Total',
        ItemProcessor: { StartAt: 'Price', States: { Price: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: FN, Payload: '{% $states.input %}' }, Output: { amount: '{% $states.result.Payload.amount %}' }, End: true } } },
      },
      'Total': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: FN, Payload: { lines: '{% $priced %}' } }, Assign: { total: '{% $states.result.Payload.amount %}' }, Next: 'Large?' },
      'Large?': { Type: 'Choice', Choices: [{ Condition: '{% $total > 100 %}', Next: 'Large' }], Default: 'Small' },
      'Large': { Type: 'Pass', Output: { orderId: '{% $orderId %}', total: '{% $total %}', size: 'large' }, End: true },
      'Small': { Type: 'Pass', Output: { orderId: '{% $orderId %}', total: '{% $total %}', size: 'small' }, End: true },
    },
  },
  'JSONPath with variables': {
    StartAt: 'Check',
    States: {
      'Check': { Type: 'Pass', Assign: { 'orderId.$': '$.orderId', 'count.$': 'States.ArrayLength($.lines)' }, OutputPath: '$.lines', Next: 'Price lines' },
      'Price lines': {
        Type: 'Map',
        Assign: { 'priced.$': '$' },
        Next: 'Total',
        ItemProcessor: { StartAt: 'Price', States: { Price: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, ResultSelector: { 'amount.$': '$.Payload.amount' }, End: true } } },
      },
      'Total': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: FN, Payload: { 'lines.$': '$priced' } }, Assign: { 'total.$': '$.Payload.amount' }, Next: 'Large?' },
      'Large?': { Type: 'Choice', Choices: [{ Variable: '$total', NumericGreaterThan: 100, Next: 'Large' }], Default: 'Small' },
      'Large': { Type: 'Pass', Parameters: { 'orderId.$': '$orderId', 'total.$': '$total', 'size': 'large' }, End: true },
      'Small': { Type: 'Pass', Parameters: { 'orderId.$': '$orderId', 'total.$': '$total', 'size': 'small' }, End: true },
    },
  },
};

const price = (req: { input: any }) => {
  const input = req.input;
  if (Array.isArray(input.lines)) return { amount: input.lines.reduce((n: number, l: { amount: number }) => n + l.amount, 0) };
  return { amount: input.qty * 12.5 };
};

/** Runs one shape once; the output is the same in all three. */
export async function runShape(name: string, orderId: string): Promise<unknown> {
  const r = await execute(SHAPES[name], { input: { orderId, lines: ITEMS }, tasks: { [FN]: price } });
  if (r.status !== 'SUCCEEDED') throw new Error(`${name}: ${r.status} ${r.error} ${r.cause}`);
  return r.output;
}

export interface ShapeRate { readonly shape: string; readonly perSecond: number[] }

export async function measureQueryLanguages(rounds: number, executionsPerRound: number): Promise<ShapeRate[]> {
  const names = Object.keys(SHAPES);
  const rates: Record<string, number[]> = Object.fromEntries(names.map(n => [n, []]));
  for (const n of names) await runShape(n, 'warm-up');
  for (let r = 0; r < rounds; r++) {
    for (const n of r % 2 === 0 ? names : [...names].reverse()) {
      const start = performance.now();
      for (let i = 0; i < executionsPerRound; i++) await runShape(n, `o-${i}`);
      rates[n].push(executionsPerRound / ((performance.now() - start) / 1000));
    }
  }
  return names.map(shape => ({ shape, perSecond: rates[shape] }));
}
