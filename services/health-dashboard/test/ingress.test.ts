import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { DashboardAuth } from '../src/server/auth/dashboard-auth';
import { refusal, upgradeRefusal } from '../src/server/auth/guard';
import { fromIngress } from '../src/server/auth/ingress';

const SUPERVISOR = '172.30.32.2';
const PATH = '/api/hassio_ingress/AbC-123_x';

/** The parts of a request the guards read: the socket peer, method and headers. */
function req(peer: string, headers: Record<string, string> = {}, method = 'GET'): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    method,
    headers: { host: 'homeassistant.local:8123', ...headers },
  } as never;
}

const auth = new DashboardAuth({
  apiKey: 'k'.repeat(32),
  allowedHosts: ['localhost'],
  idleMs: 60_000,
  absoluteMs: 600_000,
  trustProxy: false,
  ingressFrom: [SUPERVISOR],
});

describe('Home Assistant ingress trust', () => {
  const cases: Array<[string, string, Record<string, string>, boolean]> = [
    ['the Supervisor with X-Ingress-Path', SUPERVISOR, { 'x-ingress-path': PATH }, true],
    ['the Supervisor on a dual-stack socket', `::ffff:${SUPERVISOR}`, { 'x-ingress-path': PATH }, true],
    ['another add-on with X-Ingress-Path', '172.30.33.5', { 'x-ingress-path': PATH }, false],
    ['loopback with X-Ingress-Path', '127.0.0.1', { 'x-ingress-path': PATH }, false],
    ['a LAN browser with X-Ingress-Path', '192.168.1.20', { 'x-ingress-path': PATH }, false],
    ['the Supervisor without X-Ingress-Path', SUPERVISOR, {}, false],
    ['the Supervisor with a path that is not ingress', SUPERVISOR, { 'x-ingress-path': '/elsewhere' }, false],
    ['the Supervisor with markup in the path', SUPERVISOR, { 'x-ingress-path': `${PATH}"><script>` }, false],
  ];
  for (const [what, peer, headers, trusted] of cases) {
    test(`${what}: ${trusted ? 'trusted' : 'not trusted'}`, () => {
      assert.equal(fromIngress(req(peer, headers), [SUPERVISOR]), trusted);
      const refused = refusal(auth, req(peer, headers), '/api/data/v1/events');
      assert.equal(refused === undefined, trusted, JSON.stringify(refused));
    });
  }

  test('off when no address is configured', () => {
    assert.equal(fromIngress(req(SUPERVISOR, { 'x-ingress-path': PATH }), []), false);
  });

  test('writes and WebSocket upgrades under ingress still need the Home Assistant page as Origin', () => {
    const base = { 'x-ingress-path': PATH, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ha.example.org' };
    const post = (origin?: string) =>
      refusal(auth, req(SUPERVISOR, origin ? { ...base, origin } : base, 'POST'), '/api/retention/v1/backups');
    assert.equal(post('https://ha.example.org'), undefined);
    assert.equal(post('https://evil.example')?.status, 403);
    assert.equal(post()?.status, 403);
    const upgrade = (origin: string) =>
      upgradeRefusal(auth, req(SUPERVISOR, { ...base, origin, upgrade: 'websocket' }));
    assert.equal(upgrade('https://ha.example.org'), undefined);
    assert.equal(upgrade('https://evil.example')?.status, 403);
  });
});
