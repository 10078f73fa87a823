/** Moved to src/testing/nag.ts: the testing toolkit offers the same check to users. */
export * from '../../src/testing/nag';
