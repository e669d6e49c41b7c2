import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=` + hex HMAC-SHA256 of `${timestamp}.${body}` with the subscription's secret. */
export function signature(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: recompute and compare in constant time (and reject old timestamps). */
export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  given: string | undefined,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  if (!timestamp || !given || !/^\d+$/.test(timestamp)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signature(secret, timestamp, body));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
