/**
 * `cdk-workflow-patterns/worker`: the activity worker runtime for an `ActivityTask`.
 */
export { ActivityWorker } from './activity-worker';
export type { ActivityApi, ActivityContext, ActivityHandler, ActivityWorkerOptions } from './activity-worker';
