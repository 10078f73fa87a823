export * from './approval-gate';
export * from './fan-out-map';
export * from './stock-trading';
export * from './workflow';
