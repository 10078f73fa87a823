/** Moved to cli/harness/local-execution.ts, shared by the tests and the command-line tool. */
export * from '../../cli/harness/local-execution';
