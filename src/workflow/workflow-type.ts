import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * How an Express workflow is started.
 */
export enum ExpressInvocation {
  /** Started with `StartExecution`: the caller gets an execution ARN and does not wait. */
  ASYNC = 'ASYNC',
  /** Started with `StartSyncExecution`: the caller waits for the result (API Gateway, SDK). */
  SYNC = 'SYNC',
}

/**
 * The kind of workflow: Standard (exactly-once, up to a year, full history) or Express
 * (at-least-once, up to 5 minutes, high volume), started asynchronously or synchronously.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
 */
export class WorkflowType {
  /** The longest an Express execution may run. */
  public static readonly EXPRESS_MAX_DURATION_SECONDS = 300;

  /**
   * A Standard workflow: exactly-once execution, up to one year, full execution history,
   * callbacks (`.waitForTaskToken`) and `.sync` jobs allowed. Priced per state transition.
   */
  public static standard(): WorkflowType {
    return new WorkflowType(sfn.StateMachineType.STANDARD);
  }

  /**
   * An Express workflow started asynchronously (`StartExecution`, EventBridge, schedules):
   * at-least-once, up to 5 minutes. Priced per request and duration.
   */
  public static expressAsync(): WorkflowType {
    return new WorkflowType(sfn.StateMachineType.EXPRESS, ExpressInvocation.ASYNC);
  }

  /**
   * An Express workflow started synchronously (`StartSyncExecution`, e.g. behind API Gateway):
   * at-most-once, up to 5 minutes, the caller receives the output.
   */
  public static expressSync(): WorkflowType {
    return new WorkflowType(sfn.StateMachineType.EXPRESS, ExpressInvocation.SYNC);
  }

  private constructor(
    /** The state machine type this workflow type synthesizes. */
    public readonly stateMachineType: sfn.StateMachineType,
    /** How an Express workflow is started. `undefined` for Standard. */
    public readonly invocation?: ExpressInvocation,
  ) {}

  /** Whether this is an Express workflow. */
  public get isExpress(): boolean {
    return this.stateMachineType === sfn.StateMachineType.EXPRESS;
  }

  /** A readable name, for messages: `STANDARD`, `EXPRESS (ASYNC)`, `EXPRESS (SYNC)`. */
  public toString(): string {
    return this.invocation ? `${this.stateMachineType} (${this.invocation})` : this.stateMachineType;
  }
}
