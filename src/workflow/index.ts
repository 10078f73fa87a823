export * from './workflow-type';
