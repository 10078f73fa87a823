/** Moved to cli/harness/assembly.ts, shared by the tests and the command-line tool. */
export * from '../../cli/harness/assembly';
