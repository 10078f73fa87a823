/**
 * The execution history, shaped like `GetExecutionHistory`: ids in order, each event linked to the
 * one before it in its thread (`previousEventId`), timestamps in virtual time, details as JSON text.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
import { StatesError } from './errors';
import type { Scheduler } from './scheduler';
import type { HistoryEvent } from './types';

export class History {
  readonly events: HistoryEvent[] = [];

  constructor(private readonly sched: Scheduler, private readonly max: number) {}

  /** Records an event for a thread; returns its id. Past the limit, the execution fails (its closing event excepted). */
  add(thread: { lastEventId: number }, type: string, details: Record<string, unknown>): number {
    if (this.events.length >= this.max && !type.startsWith('Execution')) {
      throw new StatesError('States.Runtime', `The execution reached the maximum number of events in its history (${this.max}).`);
    }
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: thread.lastEventId, timestamp: new Date(this.sched.now), type, ...details });
    thread.lastEventId = id;
    return id;
  }
}
