/**
 * The Step Functions API's operations, each as AWS answers it: its fields checked, its errors with
 * AWS's codes and messages, its answer shaped as the API reference and AWS's recorded answers show.
 */
import { EXECUTION_OPERATIONS } from './execution-operations';
import { MACHINE_OPERATIONS } from './machine-operations';
import type { Operation } from './operation';

export const OPERATIONS: Readonly<Record<string, Operation>> = { ...MACHINE_OPERATIONS, ...EXECUTION_OPERATIONS };
