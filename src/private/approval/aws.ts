/**
 * The AWS SDK clients of the ApprovalGate handlers, loaded on first use only: loading a client
 * package takes far longer than the handler itself, and each code path loads only the clients it
 * calls (the confirmation page, for one, needs Secrets Manager alone). The SDK is the one the Lambda
 * runtime provides.
 *
 * Every call runs against a deadline inside the function's remaining time, so that a service that
 * never answers cannot hold the function until Lambda stops it; the call is aborted and the caller
 * learns that its outcome is unknown.
 */
import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as SFN from '@aws-sdk/client-sfn';
import type * as SNS from '@aws-sdk/client-sns';

/** Limits of every HTTP request a client makes (milliseconds). */
const HTTP_LIMITS = { connectionTimeout: 1_000, requestTimeout: 5_000 };

interface Loaded<M, C> {
  readonly sdk: M;
  readonly client: C;
}

let dynamodbLoaded: Loaded<typeof DynamoDB, DynamoDB.DynamoDBClient> | undefined;
let sfnLoaded: Loaded<typeof SFN, SFN.SFNClient> | undefined;
let snsLoaded: Loaded<typeof SNS, SNS.SNSClient> | undefined;
let secretsLoaded: Loaded<typeof SecretsManager, SecretsManager.SecretsManagerClient> | undefined;

/* eslint-disable @typescript-eslint/no-require-imports */
/** DynamoDB: the SDK's own retries (throttling, faults) stay on; each attempt is limited in time. */
export function dynamodb(): Loaded<typeof DynamoDB, DynamoDB.DynamoDBClient> {
  if (!dynamodbLoaded) {
    const sdk = require('@aws-sdk/client-dynamodb') as typeof DynamoDB;
    dynamodbLoaded = { sdk, client: new sdk.DynamoDBClient({ requestHandler: HTTP_LIMITS }) };
  }
  return dynamodbLoaded;
}

/**
 * Step Functions, with no automatic retry: a retried SendTaskSuccess whose first response was lost
 * gets `TaskTimedOut`, which would hide that the first one was applied. The delivery protocol
 * decides what to do after each single attempt.
 */
export function stepFunctions(): Loaded<typeof SFN, SFN.SFNClient> {
  if (!sfnLoaded) {
    const sdk = require('@aws-sdk/client-sfn') as typeof SFN;
    sfnLoaded = { sdk, client: new sdk.SFNClient({ maxAttempts: 1, requestHandler: HTTP_LIMITS }) };
  }
  return sfnLoaded;
}

export function sns(): Loaded<typeof SNS, SNS.SNSClient> {
  if (!snsLoaded) {
    const sdk = require('@aws-sdk/client-sns') as typeof SNS;
    snsLoaded = { sdk, client: new sdk.SNSClient({ requestHandler: HTTP_LIMITS }) };
  }
  return snsLoaded;
}

export function secretsManager(): Loaded<typeof SecretsManager, SecretsManager.SecretsManagerClient> {
  if (!secretsLoaded) {
    const sdk = require('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
    secretsLoaded = { sdk, client: new sdk.SecretsManagerClient({ requestHandler: HTTP_LIMITS }) };
  }
  return secretsLoaded;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** A call given up at its deadline: its outcome is unknown (it may still have been applied). */
export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`no answer within ${Math.max(0, Math.round(ms))} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/** The shortest time worth giving a call; with less left, it is not made. */
export const MIN_CALL_MS = 200;

/**
 * Runs a call with an abort signal and gives up at the deadline (aborting it), whether or not the
 * call itself honours the signal.
 */
export async function withDeadline<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (!(ms >= MIN_CALL_MS)) throw new DeadlineExceeded(ms);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceeded(ms));
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the handlers use of the Lambda context. */
export interface InvocationContext {
  getRemainingTimeInMillis?(): number;
}

/** What is left of an invocation's time, shared out among the calls it makes. */
export class Budget {
  /** The budget of an invocation: its remaining time, less a margin to answer in. */
  public static of(context: InvocationContext | undefined, fallbackMs: number, marginMs = 1_000): Budget {
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : fallbackMs;
    return new Budget(remaining - marginMs);
  }

  private readonly deadline: number;

  constructor(ms: number) {
    this.deadline = Date.now() + ms;
  }

  /** Milliseconds left. */
  public left(): number {
    return this.deadline - Date.now();
  }

  /** The time for one call: at most `capMs`, leaving `reserveMs` for what must come after it. */
  public slice(capMs: number, reserveMs = 0): number {
    return Math.min(capMs, this.left() - reserveMs);
  }
}

/** The name of an error (SDK errors name their exception). */
export function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

/** The HTTP status of an SDK error's response, if a response came. */
export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Waits (between retries). */
export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
