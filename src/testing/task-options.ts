/**
 * What the run options that stand in for work outside the app share: a function per Task state of
 * one kind (`activities`, `containers`), each key naming such a state; and the wait after which a
 * handler or a stand-in (an HTTP API too) counts as never answering.
 */
import { Asl } from './asl';
import { allStates, HarnessError, TaskHandler } from './local-execution';

export interface TaskOption<T> {
  /** The option's name: `activities`. */
  readonly option: string;
  /** The kind of task it is for, in messages: `activity task`. */
  readonly kind: string;
  /** The Task states of that kind, by their Resource. */
  readonly resource: RegExp;
  /** What each value must be, in messages: `the worker's handler, a function (input, context) => output`. */
  readonly value: string;
  /** The task handler that runs the given function. */
  readonly handler: (fn: T) => TaskHandler;
}

/** The handlers of the option, by state name; an error naming the option for a key or value that does not fit. */
export function handlersOfOption<T>(
  spec: TaskOption<T>, given: Readonly<Record<string, T>> | undefined, everyAsl: Asl[],
): Record<string, TaskHandler> {
  const out: Record<string, TaskHandler> = {};
  if (given === undefined) return out;
  if (typeof given !== 'object' || given === null) {
    throw new HarnessError(`${spec.option} must be an object of functions by ${spec.kind} state name (got ${typeof given})`);
  }
  const names = [...new Set(everyAsl.flatMap(a => allStates(a))
    .filter(s => s.state.Type === 'Task' && spec.resource.test(String(s.state.Resource))).map(s => s.name))];
  for (const [name, fn] of Object.entries(given)) {
    if (!names.includes(name)) throw new HarnessError(`${spec.option}['${name}'] names no ${spec.kind} (${spec.kind}s: ${names.join(', ') || 'none'})`);
    if (typeof fn !== 'function') throw new HarnessError(`${spec.option}['${name}'] must be ${spec.value} (got ${typeof fn})`);
    out[name] = spec.handler(fn);
  }
  return out;
}

/** How long (wall time) a local run waits for a handler or a stand-in before it counts as never answering. */
export const HANDLER_WAIT_MS = 2_000;

/**
 * Waits for `answer`; a wait of HANDLER_WAIT_MS (wall time) with no answer, and no `stillWorking()`
 * call meanwhile, is a handler that does not settle.
 */
export async function answerOrHung<T>(answer: (stillWorking: () => void) => Promise<T>): Promise<{ value: T } | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  let hung!: (v: 'hung') => void;
  const wait = new Promise<'hung'>(resolve => { hung = resolve; });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => hung('hung'), HANDLER_WAIT_MS);
  };
  arm();
  try {
    return await Promise.race([Promise.resolve().then(() => answer(arm)).then(value => ({ value })), wait]);
  } finally {
    clearTimeout(timer);
  }
}
