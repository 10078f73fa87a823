/** Moved to cli/harness/local-execution.ts, shared by the tests and the command-line tool. */
export * from '../../src/testing/local-execution';
