/**
 * The local engine against aws-local-stepfunctions, shape by shape: the same definitions, the same
 * handlers, through each engine's harness (src/testing's runLocally; bench/oracle's, the former
 * harness on aws-local-stepfunctions), in one process, in alternating rounds. Every shape ends the
 * same way on both engines, and the run checks it before it measures.
 *
 *   npx ts-node --prefer-ts-exts -P tsconfig.dev.json bench/engine-shapes.ts   # prints the table
 */
import { performance } from 'perf_hooks';
import { runLocally as alsRun } from './oracle/als-execution';
import { summarize, Summary } from './stats';
import { runLocally as ourRun } from '../src/testing/local-execution';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:work';
const LAMBDA_RETRY = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
};

function chain(count: number, state: (i: number) => Record<string, unknown>, prefix = 'S'): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) states[`${prefix}${i}`] = { ...state(i), ...(i < count - 1 ? { Next: `${prefix}${i + 1}` } : { End: true }) };
  return { StartAt: `${prefix}0`, States: states };
}

export interface Shape {
  readonly name: string;
  readonly asl: any;
  readonly input: unknown;
  readonly resources?: Record<string, (input: any) => unknown>;
  readonly callbacks?: Record<string, (input: any) => unknown>;
}

export const SHAPES: Shape[] = [
  {
    name: '50 Pass states with intrinsics',
    asl: chain(50, i => ({
      Type: 'Pass',
      Parameters: { 'n.$': `States.MathAdd($.n, ${i % 3})`, 'label.$': "States.Format('step {} of {}', $.n, $.label)", 'items.$': '$.items', 'count.$': 'States.ArrayLength($.items)' },
    })),
    input: { n: 1, label: 'x', items: [1, 2, 3] },
  },
  {
    name: 'inline Map of 20 items with a Choice',
    asl: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          End: true,
          ItemProcessor: {
            StartAt: 'Big?',
            States: {
              'Big?': { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' },
              'Big': { Type: 'Pass', Parameters: { 'n.$': '$.n', 'size': 'big' }, End: true },
              'Small': { Type: 'Pass', Parameters: { 'n.$': '$.n', 'size': 'small' }, End: true },
            },
          },
        },
      },
    },
    input: { items: Array.from({ length: 20 }, (_, n) => ({ n })) },
  },
  {
    name: '20 Lambda tasks in a chain, each with Retry and Catch',
    asl: (() => {
      const asl: any = chain(20, () => ({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { 'FunctionName': FN, 'Payload.$': '$' },
        ResultSelector: { 'n.$': '$.Payload.n' },
        Retry: [LAMBDA_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
      }));
      asl.States.Failed = { Type: 'Fail', Error: 'Failed' };
      return asl;
    })(),
    input: { n: 0 },
    resources: { [FN]: (input: { n: number }) => ({ n: input.n + 1 }) },
  },
  {
    name: 'Parallel of 4 branches of 3 Pass states',
    asl: {
      StartAt: 'Fork',
      States: {
        Fork: {
          Type: 'Parallel',
          End: true,
          Branches: [0, 1, 2, 3].map(b => chain(3, i => ({ Type: 'Pass', Parameters: { 'branch': b, 'step': i, 'n.$': '$.n' } }), `B${b}S`)),
        },
      },
    },
    input: { n: 1 },
  },
  {
    name: 'a callback task (.waitForTaskToken) between two Pass states',
    asl: {
      StartAt: 'Before',
      States: {
        'Before': { Type: 'Pass', Next: 'Wait for it' },
        'Wait for it': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token', 'order.$': '$' } },
          Next: 'After',
        },
        'After': { Type: 'Pass', End: true },
      },
    },
    input: { orderId: 'o-1' },
    resources: { [FN]: () => ({}) },
    callbacks: { 'Wait for it': () => ({ approved: true }) },
  },
];

type Engine = 'ours' | 'aws-local-stepfunctions';

async function runOnce(engine: Engine, shape: Shape): Promise<{ status: string; output: unknown }> {
  const options = { input: shape.input, resources: shape.resources as any, callbacks: shape.callbacks as any };
  const r = engine === 'ours' ? await ourRun(shape.asl, options) : await alsRun(shape.asl, options);
  return { status: r.status, output: r.output };
}

export interface ShapeRate { readonly shape: string; readonly ours: Summary; readonly theirs: Summary }

/** Executions per second of each shape on each engine, `rounds` alternating rounds of `perRound` executions. */
export async function measureShapes(rounds: number, perRound: number, minRoundMs = 250): Promise<ShapeRate[]> {
  const out: ShapeRate[] = [];
  for (const shape of SHAPES) {
    const a = await runOnce('ours', shape);
    const b = await runOnce('aws-local-stepfunctions', shape);
    if (a.status !== 'SUCCEEDED' || JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`bench: '${shape.name}' ends differently on the two engines: ${JSON.stringify(a)} against ${JSON.stringify(b)}`);
    }
    const rates: Record<Engine, number[]> = { 'ours': [], 'aws-local-stepfunctions': [] };
    const engines: Engine[] = ['ours', 'aws-local-stepfunctions'];
    for (let r = 0; r < rounds; r++) {
      for (const engine of r % 2 === 0 ? engines : [...engines].reverse()) {
        // At least `perRound` executions and a quarter of a second, so that a fast shape's round is not a
        // few milliseconds that one garbage collection decides.
        const start = performance.now();
        let runs = 0;
        while (runs < perRound || performance.now() - start < minRoundMs) {
          await runOnce(engine, shape);
          runs++;
        }
        rates[engine].push(runs / ((performance.now() - start) / 1000));
      }
    }
    out.push({ shape: shape.name, ours: summarize(rates.ours), theirs: summarize(rates['aws-local-stepfunctions']) });
  }
  return out;
}

if (require.main === module) {
  void measureShapes(6, 100).then(rates => {
    for (const r of rates) console.log(`${r.shape}: ours ${r.ours.median.toFixed(0)}/s, aws-local-stepfunctions ${r.theirs.median.toFixed(0)}/s, ratio ${(r.ours.median / r.theirs.median).toFixed(2)}`);
  });
}
