/**
 * ASL validation with asl-validator v4: every error is listed, not just the first.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import aslValidator = require('asl-validator');
import { Asl } from './asl';

/** Every validation error of an ASL document, as `CODE: message` lines (empty when valid). */
export function aslValidationErrors(asl: Asl): string[] {
  // asl-validator writes defaults (QueryLanguage) into what it is given: hand it a copy.
  const copy = JSON.parse(JSON.stringify(asl));
  const result = aslValidator(copy, { checkPaths: true, checkArn: true });
  return result.errors.map(e => {
    const where = e.path ? ` at ${String(e.path)}` : '';
    return `${String(e['Error code'])}: ${String(e.Message)}${where}`;
  });
}

/** Throws with every validation error when the ASL is not valid. */
export function expectValidAsl(asl: Asl): void {
  const errors = aslValidationErrors(asl);
  if (errors.length > 0) {
    throw new Error(`ASL is not valid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n  ${errors.join('\n  ')}`);
  }
}
