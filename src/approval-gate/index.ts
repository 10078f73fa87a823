export * from './approval-gate';
export * from './approval-service';
