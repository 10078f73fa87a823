export * from './approval-gate';
export * from './approval-service';
export * from './approval-service-props';
