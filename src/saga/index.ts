export * from './saga';
export * from './saga-step';
