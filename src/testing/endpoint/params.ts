/**
 * A request's fields, read with the checks AWS makes: a field of the wrong JSON type is a
 * `SerializationException`, a value outside its constraints a `ValidationException` worded as AWS
 * words it, a required field missing the same.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { ApiError, invalidField } from './protocol';

interface StringRule {
  readonly min?: number;
  readonly max?: number;
}

export class Params {
  constructor(private readonly body: Record<string, unknown>) {}

  /** A string field; undefined when absent. */
  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw wrongType(name, 'a string', value);
    if (rule.min !== undefined && value.length < rule.min) throw invalidField(name, value, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max) throw invalidField(name, `${value.slice(0, 64)}…`, `Member must have length less than or equal to ${rule.max}`);
    return value;
  }

  /** A string field that must be there. */
  required(name: string, rule: StringRule = {}): string {
    const value = this.string(name, rule);
    if (value === undefined) throw invalidField(name, null, 'Member must not be null');
    return value;
  }

  /** One of the values an enum takes. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!values.includes(value as T)) throw invalidField(name, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
    return value as T;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(name, 'an integer', value);
    if (value < min) throw invalidField(name, value, `Member must have value greater than or equal to ${min}`);
    if (value > max) throw invalidField(name, value, `Member must have value less than or equal to ${max}`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw wrongType(name, 'a boolean', value);
    return value;
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(name, 'an object', value);
    return value as Record<string, unknown>;
  }

  list(name: string): unknown[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw wrongType(name, 'a list', value);
    return value;
  }

  /** `maxResults` (0 means the default, as AWS takes it) and `nextToken`. */
  paging(): { maxResults: number; nextToken?: string } {
    const maxResults = this.integer('maxResults', 0, 1000) ?? 0;
    return { maxResults: maxResults === 0 ? 100 : maxResults, nextToken: this.string('nextToken', { min: 1, max: 1024 }) };
  }
}

function wrongType(name: string, expected: string, value: unknown): ApiError {
  const found = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value)?.slice(0, 80);
  return new ApiError('SerializationException', `The field '${name}' must be ${expected}; it is ${found} (${shown})`);
}

/** Page tokens are signed: one that was not given by this endpoint (a forged anchor) is refused. */
const TOKEN_KEY = randomBytes(32);
const sign = (body: string) => createHmac('sha256', TOKEN_KEY).update(body).digest('base64url');

/**
 * A page of `items` (in the order they are listed) after the one `nextToken` names. A token names the
 * last item of the page before by its place in that order (`position`, which grows along the list)
 * and the request it belongs to: items that appear or change between pages shift nothing, and a token
 * of another request is refused.
 */
export function page<T>(
  items: readonly T[], paging: { maxResults: number; nextToken?: string }, request: string, position: (item: T) => number | string,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (paging.nextToken !== undefined) {
    let token: { r?: unknown; a?: unknown } | undefined;
    const [body, mac] = paging.nextToken.split('.');
    try {
      token = mac !== undefined && timingSafeEqual(Buffer.from(mac), Buffer.from(sign(body))) ? JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) : undefined;
    } catch {
      token = undefined;
    }
    if (!token || token.r !== request || (typeof token.a !== 'number' && typeof token.a !== 'string')) {
      throw new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    }
    const anchor = token.a;
    start = items.findIndex(item => position(item) > anchor);
    if (start < 0) start = items.length;
  }
  const chosen = items.slice(start, start + paging.maxResults);
  const more = start + paging.maxResults < items.length;
  const last = chosen[chosen.length - 1];
  if (!more || last === undefined) return { items: chosen };
  const body = Buffer.from(JSON.stringify({ r: request, a: position(last) })).toString('base64url');
  return { items: chosen, nextToken: `${body}.${sign(body)}` };
}
