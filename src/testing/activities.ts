/**
 * Activity tasks run locally with the worker's own handler (`cdk-workflow-patterns/worker`): the
 * handler gets the input and context the worker gives it, and its outcome becomes what the worker
 * would send (SendTaskSuccess with its output, SendTaskFailure with its error's name and message).
 * A handler that does not settle (2 seconds of wall time without an answer or a heartbeat) runs in a
 * worker that is alive and heartbeating: the task ends at its TimeoutSeconds in virtual time
 * (States.Timeout), as in AWS, without the test waiting for it.
 */
import { TaskOutcome } from '../engine';
import { Asl } from './asl';
import { TaskCall, TaskFailure, TaskHandler } from './local-execution';
import { answerOrHung, handlersOfOption } from './task-options';
import { ActivityHandler, DEFAULT_HEARTBEAT_SECONDS } from '../worker/activity-worker';
import { failureOf, successOf } from '../worker/outcome';

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

/**
 * A handler that does not settle, in a worker that is alive: the worker keeps heartbeating, so the
 * task ends at its TimeoutSeconds (States.Timeout), as it would in AWS.
 */
function liveWorkerNeverAnswers(call: TaskCall): TaskOutcome {
  const until = call.timeoutSeconds ?? 24 * 3600;
  const heartbeatsAt = Array.from({ length: Math.floor(until / DEFAULT_HEARTBEAT_SECONDS) }, (_, i) => (i + 1) * DEFAULT_HEARTBEAT_SECONDS);
  return TaskOutcome.never({ heartbeatsAt });
}

function localActivity(handler: ActivityHandler): TaskHandler {
  return async (input, call) => {
    const controller = new AbortController();
    try {
      const settled = await answerOrHung(stillWorking => Promise.resolve(handler(JSON.parse(JSON.stringify(input ?? {})), {
        taskToken: `local-activity-token-${call.state}-${call.attempt}`,
        workerName: 'local-worker',
        signal: controller.signal,
        // The handler runs at one virtual instant; a heartbeat tells the local run it is still working.
        heartbeat: async () => stillWorking(),
      })));
      if (settled === 'hung') {
        controller.abort();
        return liveWorkerNeverAnswers(call);
      }
      const outcome = successOf(settled.value);
      if (outcome.kind === 'failure') throw new TaskFailure(outcome.error, outcome.cause);
      return JSON.parse(outcome.output);
    } catch (e) {
      if (e instanceof TaskFailure) throw e;
      const outcome = failureOf(e);
      throw new TaskFailure(outcome.kind === 'failure' ? outcome.error : 'Error', outcome.kind === 'failure' ? outcome.cause : '');
    }
  };
}
