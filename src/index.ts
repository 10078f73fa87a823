export * from './approval-gate';
export * from './workflow';
