export * from './activity-task';
export * from './approval-gate';
export * from './container-task';
export * from './fan-out-map';
export * from './http-task';
export * from './saga';
export * from './stock-trading';
export * from './workflow';
