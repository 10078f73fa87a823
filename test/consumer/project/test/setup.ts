import { workflowMatchers, WorkflowMatchers } from 'cdk-workflow-patterns/testing';

expect.extend(workflowMatchers);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R, T = {}> extends WorkflowMatchers<R> {}
  }
}
