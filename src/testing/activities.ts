/**
 * Activity tasks run locally with the worker's own handler (`cdk-workflow-patterns/worker`): the
 * handler gets the input and context the worker gives it, and its outcome becomes what the worker
 * would send (SendTaskSuccess with its output, SendTaskFailure with its error's name and message).
 * A handler that does not settle is a worker that stopped answering: the task ends at its
 * HeartbeatSeconds (or TimeoutSeconds) in virtual time, as in AWS, without the test waiting for it.
 */
import { TaskOutcome } from '../engine';
import { Asl } from './asl';
import { TaskFailure, TaskHandler } from './local-execution';
import { handlersOfOption } from './task-options';
import type { ActivityHandler } from '../worker/activity-worker';
import { failureOf, successOf } from '../worker/outcome';

/** How long (wall time) a local run waits for an activity handler before it counts as never answering. */
export const HANDLER_WAIT_MS = 2_000;

/** The handlers of `activities`, by the state names of the activity tasks they answer. */
export function activityHandlers(
  asl: Asl, activities: Readonly<Record<string, ActivityHandler>> | undefined, everyAsl: Asl[] = [asl],
): Record<string, TaskHandler> {
  return handlersOfOption({
    option: 'activities',
    kind: 'activity task',
    resource: /:activity:/,
    value: "the worker's handler, a function (input, context) => output",
    handler: localActivity,
  }, activities, everyAsl);
}

function localActivity(handler: ActivityHandler): TaskHandler {
  return async (input, call) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>(resolve => { timer = setTimeout(() => resolve('hung'), HANDLER_WAIT_MS); });
    const context = {
      taskToken: `local-activity-token-${call.state}-${call.attempt}`,
      workerName: 'local-worker',
      signal: controller.signal,
      // The handler runs at one virtual instant: a heartbeat has nothing to keep alive.
      heartbeat: async () => undefined,
    };
    try {
      const answer = Promise.resolve().then(() => handler(JSON.parse(JSON.stringify(input ?? {})), context)).then(value => ({ value }));
      const settled = await Promise.race([answer, hung]);
      if (settled === 'hung') {
        controller.abort();
        return TaskOutcome.never();
      }
      const outcome = successOf(settled.value);
      if (outcome.kind === 'failure') throw new TaskFailure(outcome.error, outcome.cause);
      return JSON.parse(outcome.output);
    } catch (e) {
      if (e instanceof TaskFailure) throw e;
      const outcome = failureOf(e);
      throw new TaskFailure(outcome.kind === 'failure' ? outcome.error : 'Error', outcome.kind === 'failure' ? outcome.cause : '');
    } finally {
      clearTimeout(timer);
    }
  };
}
