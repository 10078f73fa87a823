export * from './container-task';
