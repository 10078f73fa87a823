/**
 * aws-local-stepfunctions, typed for what the benchmark's comparison harness uses.
 * It ships as an ES module whose types TypeScript refuses to import from CommonJS under node16
 * resolution, and its own types reject valid ASL (`IsPresent: false`, `Assign`...): the harness
 * loads it with require() and types it here.
 */

export interface EngineRun {
  readonly result: Promise<unknown>;
  readonly eventLogs: AsyncGenerator<any>;
  abort(): void;
}

export interface EngineRunOptions {
  readonly overrides?: {
    readonly taskResourceLocalHandlers?: Record<string, (input: any) => unknown>;
    /** Milliseconds, by Wait state name. */
    readonly waitTimeOverrides?: Record<string, number>;
    /** Milliseconds, by state name (a number for every retrier, or one per retrier). */
    readonly retryIntervalOverrides?: Record<string, number | number[]>;
  };
  readonly context?: Record<string, unknown>;
  readonly noThrowOnAbort?: boolean;
}

export interface EngineStateMachine {
  run(input: unknown, options?: EngineRunOptions): EngineRun;
}
import { requireOracle } from './load';

interface EngineOptions {
  readonly validationOptions?: { readonly noValidate?: boolean; readonly checkPaths?: boolean; readonly checkArn?: boolean };
}

interface EngineModule {
  StateMachine: new (definition: unknown, options?: EngineOptions) => EngineStateMachine;
}

export const { StateMachine } = requireOracle() as EngineModule;
