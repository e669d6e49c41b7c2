import http from 'node:http';
import https from 'node:https';
import type { EgressPolicy } from './egress';
import { parseIp } from './ip-ranges';

/**
 * One webhook POST through the egress policy; resolves with the HTTP status. No redirects are followed and
 * no connection is pooled, so every attempt is vetted against the address it really connects to.
 */
export async function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: { policy: EgressPolicy; signal: AbortSignal },
): Promise<number> {
  const url = new URL(target);
  // An IP literal never goes through `lookup`, so it is vetted here.
  if (parseIp(url.hostname)) await options.policy.addressesFor(url.hostname);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const request = transport.request(url, {
      method: 'POST',
      agent: false,
      lookup: options.policy.lookup,
      signal: options.signal,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    request.on('response', (response) => {
      resolve(response.statusCode ?? 0);
      response.destroy(); // the body is not read: a receiver cannot hold the slot by trickling it
    });
    request.on('error', reject);
    request.end(body);
  });
}
