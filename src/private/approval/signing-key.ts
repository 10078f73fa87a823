import { secretsManager, withDeadline } from './aws';

/** Longest wait for the secret. */
const READ_TIMEOUT_MS = 3_000;

/**
 * The gate's HMAC key, loaded from Secrets Manager (the secret named by `SIGNING_KEY_SECRET_ARN`)
 * once per Lambda container and kept in memory. A failed load is not kept: the next request retries.
 */
export class SigningKey {
  private key?: Promise<Buffer>;

  public get(): Promise<Buffer> {
    if (!this.key) {
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
    }
    return this.key;
  }

  /** Forgets the key (a new container, as far as this module knows). */
  public clear(): void {
    this.key = undefined;
  }
}
