/**
 * Activities: tasks wait in their activity's queue until a worker's GetActivityTask long poll takes
 * them. A poll waits up to 60 seconds, as AWS's does, and answers `{}` when no task came. A task is
 * handed only to a poll whose caller is still there, and it has started only once its answer was
 * written: one whose connection closed before goes back to the queue, for the next poll.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html
 */
import { activityArn } from './arns';
import { ApiError } from './protocol';
import type { TaskAnswer } from '../../engine';
import { HarnessError } from '../local-execution';

export interface PendingActivityTask {
  readonly token: string;
  readonly input: string;
  readonly answer: TaskAnswer;
  readonly executionArn: string;
}

export interface ActivityRecord {
  /** The order it was created in (paging lists by it). */
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  readonly creationDate: Date;
  readonly tasks: PendingActivityTask[];
  readonly polls: Poll[];
}

interface Poll {
  readonly worker?: string;
  /** Whether the caller still waits for the answer. */
  readonly waiting: () => boolean;
  readonly give: (task: PendingActivityTask | undefined) => void;
}

export class ActivityTaskQueue {
  readonly activities = new Map<string, ActivityRecord>();
  private created = 0;

  constructor(private readonly pollSeconds: number) {}

  /** CreateActivity: the same name again gives the same activity (AWS's answer). */
  create(name: string, now: Date): ActivityRecord {
    const arn = activityArn(name);
    let found = this.activities.get(arn);
    if (!found) {
      found = { seq: ++this.created, arn, name, creationDate: now, tasks: [], polls: [] };
      this.activities.set(arn, found);
    }
    return found;
  }

  get(arn: string): ActivityRecord {
    const found = this.activities.get(arn);
    if (!found) throw new ApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
    return found;
  }

  /** DeleteActivity: its waiting polls are answered with no task. */
  delete(arn: string): void {
    const found = this.activities.get(arn);
    if (!found) return;
    this.activities.delete(arn);
    for (const poll of found.polls.splice(0)) poll.give(undefined);
  }

  /** An activity task scheduled by an execution. */
  enqueue(resource: string, task: PendingActivityTask): void {
    const activity = this.activities.get(resource);
    if (!activity) {
      throw new HarnessError(`Activity Does Not Exist: '${resource}': create it with CreateActivity before an execution schedules its task`);
    }
    activity.tasks.push(task);
    this.dispatch(activity);
  }

  /** GetActivityTask: the next task, or none after the poll's time. `gone` tells when the caller has left. */
  poll(arn: string, worker: string | undefined, gone: Promise<void>): Promise<PendingActivityTask | undefined> {
    const activity = this.get(arn);
    return new Promise(resolve => {
      let open = true;
      const timer = setTimeout(() => finish(undefined), this.pollSeconds * 1000);
      const poll: Poll = {
        worker,
        waiting: () => open,
        give: task => finish(task),
      };
      const finish = (task: PendingActivityTask | undefined) => {
        if (!open) return;
        open = false;
        clearTimeout(timer);
        const i = activity.polls.indexOf(poll);
        if (i >= 0) activity.polls.splice(i, 1);
        resolve(task);
      };
      // The caller left: the poll ends with no task, and no task is handed to it.
      void gone.then(() => finish(undefined));
      activity.polls.push(poll);
      this.dispatch(activity);
    });
  }

  /**
   * After the answer to a poll was written: a task the worker got has started (ActivityStarted, with
   * its name); one whose answer never left (the worker's connection closed first) goes back to the
   * front of the queue, for the next poll.
   */
  delivered(arn: string, task: PendingActivityTask, worker: string | undefined, sent: boolean): void {
    if (sent) {
      task.answer.start(worker);
      return;
    }
    const activity = this.activities.get(arn);
    if (!activity || !task.answer.open) return;
    activity.tasks.unshift(task);
    this.dispatch(activity);
  }

  /** Hands waiting tasks to waiting polls; a task whose execution has ended (stopped, timed out) is dropped. */
  private dispatch(activity: ActivityRecord): void {
    while (activity.tasks.length > 0 && activity.polls.length > 0) {
      const task = activity.tasks.shift()!;
      if (!task.answer.open) continue;
      const poll = activity.polls.shift()!;
      if (!poll.waiting()) {
        activity.tasks.unshift(task);
        continue;
      }
      poll.give(task);
    }
  }

  /** Answers every waiting poll with no task. */
  close(): void {
    for (const activity of this.activities.values()) for (const poll of activity.polls.splice(0)) poll.give(undefined);
  }
}
