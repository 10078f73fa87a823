export * from './fan-out-map';
export * from './workflow';
