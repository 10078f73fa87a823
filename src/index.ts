export * from './approval-gate';
export * from './fan-out-map';
export * from './workflow';
