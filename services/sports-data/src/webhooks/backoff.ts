export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Longest delay between two attempts, ms. */
  maxDelayMs: number;
  /** A delivery is given up once its next attempt would fall after created + maxAgeMs. */
  maxAgeMs: number;
}

/**
 * Delay after attempt number `attempts` (1 = the first attempt failed): base * 2^(attempts-1), capped,
 * with "equal jitter" (uniform in [d/2, d]) so that receivers coming back are not hit by a synchronized wave.
 */
export function backoffDelay(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const d = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempts - 1), 40));
  return Math.round(d / 2 + random() * (d / 2));
}

/** The time of the next attempt, or null when the delivery must be given up. */
export function nextAttemptAt(
  createdAt: number,
  attempts: number,
  now: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number | null {
  const at = now + backoffDelay(attempts, policy, random);
  return at > createdAt + policy.maxAgeMs ? null : at;
}
