export * from './lambda-retry';
export * from './resilient-lambda-invoke';
export * from './workflow';
export * from './workflow-type';
