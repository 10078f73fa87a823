/**
 * Container tasks (`ecs:runTask.sync`, `ContainerTask`) run locally: a function of the test stands for
 * the container. It gets the container's overrides (environment and command) and returns its exit
 * code; the task's result is the stopped task as DescribeTasks gives it, and an exit code other
 * than 0 fails the task with `States.TaskFailed`, the stopped task in the cause, as AWS reports it.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
 */
import { Asl } from './asl';
import { TaskOutcome } from '../engine';
import { HarnessError, TaskCall, TaskFailure, TaskHandler } from './local-execution';
import { answerOrHung, handlersOfOption } from './task-options';

/** What the stand-in for the container receives: the overrides the task gives it. */
export interface ContainerRun {
  /** The container's name. */
  readonly name: string;
  /** Its environment: the task definition's own is not included, only the overrides. */
  readonly environment: Record<string, string>;
  /** The command override, if the task gives one. */
  readonly command?: string[];
}

/** Stands for a container: returns its exit code (0 when it returns nothing); a thrown error is exit code 1. */
export type ContainerBehaviour = (run: ContainerRun) => number | void | Promise<number | void>;

// A function that does not settle within 2 seconds (wall time) stands for a container that does not stop.

const SYNC_RUN_TASK = /:states:::ecs:runTask\.sync$/;

/** The handlers of `containers`, by the state names of the container tasks they stand for. */
export function containerHandlers(
  asl: Asl, containers: Readonly<Record<string, ContainerBehaviour>> | undefined, everyAsl: Asl[] = [asl],
): Record<string, TaskHandler> {
  return handlersOfOption({
    option: 'containers',
    kind: 'container task',
    resource: SYNC_RUN_TASK,
    value: 'a function ({ environment, command }) => exit code',
    handler: behaviour => (parameters, call) => runContainer(parameters, call, behaviour),
  }, containers, everyAsl);
}

async function runContainer(parameters: any, call: TaskCall, behaviour: ContainerBehaviour): Promise<unknown> {
  const override = parameters?.Overrides?.ContainerOverrides?.[0] ?? {};
  const environment: Record<string, string> = {};
  for (const pair of override.Environment ?? []) environment[String(pair.Name)] = String(pair.Value);
  const name = String(override.Name ?? 'container');
  let exitCode: number;
  let reason = 'Essential container in task exited';
  try {
    const run: ContainerRun = { name, environment, ...(override.Command ? { command: override.Command.map(String) } : {}) };
    const settled = await answerOrHung(() => Promise.resolve(behaviour(run)));
    // A container that does not stop: the task ends at its TimeoutSeconds (States.Timeout).
    if (settled === 'hung') return TaskOutcome.never();
    const code = settled.value;
    if (code !== undefined && !(typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 255)) {
      throw new HarnessError(`containers['${call.state}'] returned ${JSON.stringify(code) ?? typeof code}; return the container's exit code, a whole number from 0 to 255 (or nothing, for 0)`, call.state);
    }
    exitCode = code ?? 0;
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    exitCode = 1;
    reason = `Essential container in task exited: ${(e as Error)?.message ?? String(e)}`;
  }
  const task = stoppedTask(parameters, call, name, exitCode, reason);
  if (exitCode !== 0) throw new TaskFailure('States.TaskFailed', JSON.stringify(task));
  return task;
}

/** The stopped task, in DescribeTasks' shape (as Step Functions returns it, in PascalCase). */
function stoppedTask(parameters: any, call: TaskCall, name: string, exitCode: number, reason: string): Record<string, unknown> {
  const cluster = String(parameters?.Cluster ?? 'default');
  const clusterArn = cluster.startsWith('arn:') ? cluster : `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`;
  const family = String(parameters?.TaskDefinition ?? 'task').split('/').pop()!.split(':')[0];
  const id = `local${String(call.attempt).padStart(4, '0')}${Buffer.from(call.state).toString('hex').slice(0, 24)}`;
  const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/${clusterArn.split('/').pop()}/${id}`;
  // Timestamps as Step Functions gives them (milliseconds since the epoch), at the task's virtual time.
  const at = (call.now ?? new Date(0)).getTime();
  return {
    Attachments: [],
    CreatedAt: at,
    StartedAt: at,
    StoppingAt: at,
    StoppedAt: at,
    ExecutionStoppedAt: at,
    PullStartedAt: at,
    PullStoppedAt: at,
    ClusterArn: clusterArn,
    Containers: [{ ExitCode: exitCode, LastStatus: 'STOPPED', Name: name, TaskArn: taskArn }],
    DesiredStatus: 'STOPPED',
    Group: `family:${family}`,
    LastStatus: 'STOPPED',
    LaunchType: parameters?.LaunchType ?? 'FARGATE',
    Overrides: { ContainerOverrides: parameters?.Overrides?.ContainerOverrides ?? [] },
    StartedBy: 'AWS Step Functions',
    StopCode: 'EssentialContainerExited',
    StoppedReason: reason,
    TaskArn: taskArn,
    TaskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:1`,
  };
}
