/** Moved to src/testing/assembly.ts, shared by the tests, the testing toolkit and the command-line tool. */
export * from '../../src/testing/assembly';
