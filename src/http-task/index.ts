export * from './http-authorization';
export * from './http-errors';
export * from './http-task';
