/** Moved to cli/harness/engine.ts, shared by the tests and the command-line tool. */
export * from '../../cli/harness/engine';
