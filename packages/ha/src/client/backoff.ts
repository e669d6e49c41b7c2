export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Cap, ms. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** 0..1: share of the delay that is randomized downwards (0.5 => between 50% and 100% of the step). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, jittered so that many clients
 * restarted together do not hammer Home Assistant in lockstep. Always within [step * (1 - jitter), step].
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const step = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, Math.min(attempt, 64)));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(step * (1 - jitter * random()));
}
