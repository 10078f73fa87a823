/** Moved to cli/harness/assembly.ts, shared by the tests and the command-line tool. */
export * from '../../src/testing/assembly';
