// Types for asl-validator v4, which ships none.
declare module 'asl-validator' {
  interface AslValidationError { readonly 'Error code': string; readonly Message: string; readonly path?: string; readonly [key: string]: unknown }
  interface AslValidationResult { readonly isValid: boolean; readonly errors: AslValidationError[]; errorsText(separator?: string): string }
  function validator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidationResult;
  export = validator;
}
