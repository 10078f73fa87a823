/**
 * A task whose answer comes from outside the run (SendTaskSuccess of its token, an activity worker):
 * it waits for the answer, a heartbeat renewing its heartbeat deadline, until its timeout.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
 */
import type { Scheduler, Scope, Timer } from './scheduler';
import type { AnswerOutcome, TaskAnswer } from './types';

export interface AnswerTiming {
  /** When the task was scheduled (ms). */
  readonly scheduledAt: number;
  readonly timeout?: number;
  readonly heartbeat?: number;
  /** An activity: its heartbeat deadline runs from when a worker takes it. */
  readonly startsLater: boolean;
  /** Records that a worker took it. */
  readonly started: (worker?: string) => void;
}

/** Waits for the answer, a timeout or a missed heartbeat, whichever comes first; the answer then takes no more. */
export async function waitForAnswer(sched: Scheduler, scope: Scope, answer: TaskAnswer, timing: AnswerTiming): Promise<AnswerOutcome> {
  const timers: Timer[] = [];
  let heartbeatTimer: Timer | undefined;
  const armHeartbeat = () => {
    if (timing.heartbeat === undefined) return;
    heartbeatTimer?.cancel();
    heartbeatTimer = sched.timer(sched.now + timing.heartbeat * 1000, () => answer.expire(true));
  };
  if (timing.timeout !== undefined) timers.push(sched.timer(timing.scheduledAt + timing.timeout * 1000, () => answer.expire(false)));
  if (!timing.startsLater) armHeartbeat();
  try {
    return await sched.outsideAnswer(answer.wait({
      heartbeat: armHeartbeat,
      start: worker => {
        timing.started(worker);
        armHeartbeat();
      },
    }), scope);
  } finally {
    answer.close();
    heartbeatTimer?.cancel();
    timers.forEach(t => t.cancel());
  }
}
