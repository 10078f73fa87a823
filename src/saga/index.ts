export * from './saga';
export * from './saga-step';
export * from './try-finally';
