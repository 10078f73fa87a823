import { secretsManager, withDeadline } from './aws';

/** Longest wait for the secret. */
const READ_TIMEOUT_MS = 3_000;
/** How long a container keeps the key before reading it again: a replaced key stops old links within this time. */
export const KEY_MAX_AGE_MS = 5 * 60_000;
/** A link whose signature does not match makes the key be read again, at most this often (forged links cannot flood the secret). */
export const MISMATCH_REREAD_MS = 30_000;

/**
 * The gate's HMAC key, loaded from Secrets Manager (the secret named by `SIGNING_KEY_SECRET_ARN`) and
 * kept in memory for at most `maxAgeMs` (then read again), so that replacing a leaked key stops the
 * links signed with the old one within minutes. A link that does not verify makes the key be read
 * again (`reread`, at most every 30 s), so that links signed with a new key work at once. A failed
 * load is not kept: the next request retries.
 */
export class SigningKey {
  private key?: Promise<Buffer>;
  private loadedAt = 0;
  private rereadAt = -Infinity;

  constructor(private readonly maxAgeMs = KEY_MAX_AGE_MS) {}

  public get(): Promise<Buffer> {
    if (!this.key || Date.now() - this.loadedAt >= this.maxAgeMs) this.load();
    return this.key!;
  }

  /**
   * After a signature mismatch: the key read again, unless it was read again less than 30 s ago
   * (then undefined: the mismatch stands).
   */
  public reread(): Promise<Buffer> | undefined {
    if (Date.now() - this.rereadAt < MISMATCH_REREAD_MS) return undefined;
    this.rereadAt = Date.now();
    this.load();
    return this.key;
  }

  /** Forgets the key (a new container, as far as this module knows). */
  public clear(): void {
    this.key = undefined;
    this.loadedAt = 0;
    this.rereadAt = -Infinity;
  }

  private load(): void {
    const { sdk, client } = secretsManager();
    const key = withDeadline(READ_TIMEOUT_MS, signal =>
      client.send(new sdk.GetSecretValueCommand({ SecretId: process.env.SIGNING_KEY_SECRET_ARN }), { abortSignal: signal })).then(out => {
      if (!out.SecretString || out.SecretString.length < 32) {
        throw new Error('the signing key secret is empty or shorter than 32 characters');
      }
      return Buffer.from(out.SecretString, 'utf8');
    });
    key.catch(() => { if (this.key === key) this.key = undefined; });
    this.key = key;
    this.loadedAt = Date.now();
  }
}
