/**
 * Checks of required values. TypeScript enforces them at compile time, but plain JavaScript and the
 * other jsii languages can leave them out; without these checks the user gets a TypeError from deep
 * inside the library instead of the library's message.
 */

/**
 * The value, or an error that names where it was needed, what was received and what to give:
 * `ItemSource.s3Csv: bucket is required (got undefined); give the bucket that holds the CSV object`.
 */
export function required<T>(value: T | undefined | null, where: string, name: string, fix: string): T {
  if (value === undefined || value === null) {
    throw new Error(`${where}: ${name} is required (got ${value}); ${fix}`);
  }
  return value;
}

/**
 * The props of a construct whose props have required fields, or an error that lists those fields:
 * `FanOutMap 'Import': props are required (got undefined); give at least { items, processor }`.
 */
export function requiredProps<T>(props: T | undefined | null, where: string, fields: string[]): T {
  if (props === undefined || props === null) {
    throw new Error(`${where}: props are required (got ${props}); give at least { ${fields.join(', ')} }`);
  }
  return props;
}
