/**
 * Jest matchers shared by every test. Registered by setup.ts.
 */
import { aslValidationErrors } from './asl-validation';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The received ASL document passes asl-validator; the failure message lists every error. */
      toBeValidAsl(): R;
    }
  }
}

export const matchers = {
  toBeValidAsl(received: unknown): jest.CustomMatcherResult {
    const errors = aslValidationErrors(received as Record<string, unknown>);
    return {
      pass: errors.length === 0,
      message: () => errors.length === 0
        ? 'expected the ASL not to be valid, but asl-validator found no error'
        : `expected valid ASL, asl-validator found ${errors.length} error(s):\n  ${errors.join('\n  ')}`,
    };
  },
};
