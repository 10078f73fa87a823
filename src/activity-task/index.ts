export * from './activity-task';
