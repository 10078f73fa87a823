export * from './lambda-retry';
export * from './resilient-lambda-invoke';
export * from './workflow';
export * from './workflow-options';
export * from './workflow-type';
export * from './workflow-rest-api';
