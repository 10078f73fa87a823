/** Moved to src/testing/local-execution.ts, shared by the tests, the testing toolkit and the command-line tool. */
export * from '../../src/testing/local-execution';
