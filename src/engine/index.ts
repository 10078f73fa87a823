/**
 * The local Step Functions engine: runs an Amazon States Language definition in-process, in virtual
 * time, in JSONPath and JSONata. See README.md beside this file for how it is layered.
 */
export * from './types';
export * from './errors';
export { execute } from './execution';
export { validateDefinition, MAX_STATE_NAME } from './definition';
export type { Graph } from './definition';
export { LocalS3 } from './local-s3';
export type { ListedObject, LocalS3Object } from './local-s3';
