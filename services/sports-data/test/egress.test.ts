import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '@homeiq/core/testing/temp';
import { loadSportsConfig } from '../src/config';
import { EgressPolicy, type Resolver } from '../src/webhooks/egress';
import { NO_ANSWER, REFUSED } from '../src/webhooks/engine';
import { AUTH, createWebhook, deliveries, SECRET, type SportsFixture, sportsFixture, startReceiver } from './helpers';

const listCount = async (f: SportsFixture) =>
  (await f.app.inject({ url: '/api/v1/webhooks', headers: AUTH })).json().webhooks.length as number;

const create = (f: SportsFixture, url: string) =>
  f.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: AUTH,
    payload: { url, secret: SECRET, events: ['game_started'] },
  });

// What an attacker on the LAN aims a webhook at: the host itself, its cloud metadata, its neighbours.
const REFUSED_BY_DEFAULT = [
  'http://127.0.0.1:8086/query?q=DROP%20DATABASE%20home_assistant_events',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]:8086/',
  'http://0.0.0.0:8086/',
  'http://0/',
  'http://[::]/',
  'http://[::ffff:127.0.0.1]:8086/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::127.0.0.1]/', // NAT64
  'http://[2002:7f00:1::]/', // 6to4 of 127.0.0.1
  'http://2130706433:8086/', // decimal 127.0.0.1
  'http://0177.0.0.1:8086/', // octal
  'http://0x7f.1/', // hex, short
  'http://127.1:8086/', // short
  'http://localhost:8086/',
  'http://LOCALHOST./',
  'http://[fe80::1]/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://172.31.255.255/',
  'http://192.168.1.20:1880/',
  'http://100.64.0.1/', // CGNAT
  'http://[fd00::1]/', // ULA
  'http://[::ffff:192.168.1.1]/',
];

describe('webhook egress policy (attacks)', () => {
  test('creating a webhook aimed at loopback, link-local, unspecified, multicast or the LAN is a 400 and stores nothing', async () => {
    const f = await sportsFixture({ env: { WEBHOOK_ALLOWED_HOSTS: '' } });
    try {
      for (const url of REFUSED_BY_DEFAULT) {
        const res = await create(f, url);
        assert.equal(res.statusCode, 400, `${url} -> ${res.statusCode} ${res.body}`);
        assert.equal(res.json().field, 'url', url);
        assert.match(res.json().message, /webhooks may not reach; allow it with WEBHOOK_ALLOWED_HOSTS/, url);
      }
      assert.equal(await listCount(f), 0, 'nothing was created');
      for (const url of [
        'http://8.8.8.8/h',
        'http://172.32.0.1/h',
        'http://100.128.0.1/h',
        'https://[2606:4700::1111]/h',
      ]) {
        assert.equal((await create(f, url)).statusCode, 201, `${url} is public and allowed`);
      }
    } finally {
      await f.close();
    }
  });

  test('by default a receiver on 127.0.0.1 is refused and never contacted, even by the test ping', async () => {
    const receiver = await startReceiver();
    const f = await sportsFixture({ env: { WEBHOOK_ALLOWED_HOSTS: '' } });
    try {
      const res = await create(f, receiver.url);
      assert.equal(res.statusCode, 400);
      assert.equal(await listCount(f), 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(receiver.received.length, 0);
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('a name that resolves to a public address at creation and rebinds to loopback is refused when delivering', async () => {
    const receiver = await startReceiver();
    let answers = 0;
    // First answer public (the check at creation), every later one loopback (the connect at delivery).
    const rebinding: Resolver = async (host) =>
      host === 'rebind.test' && answers++ === 0 ? ['203.0.113.7'] : ['127.0.0.1'];
    const f = await sportsFixture({ env: { WEBHOOK_ALLOWED_HOSTS: '' }, resolve: rebinding });
    try {
      const port = new URL(receiver.url).port;
      const id = await createWebhook(f, { url: `http://rebind.test:${port}/hook`, events: ['game_started'] });
      const ping = await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
      assert.equal(ping.statusCode, 202);
      await waitFor(async () => (await deliveries(f, id))[0]?.status === 'failed', 5000, 'delivery given up');
      const [d] = await deliveries(f, id);
      assert.equal(d?.last_error, REFUSED);
      assert.equal(d?.attempts, 1, 'not retried: the address will not become permitted by waiting');
      const sub = (await f.app.inject({ url: `/api/v1/webhooks/${id}`, headers: AUTH })).json();
      assert.equal(sub.enabled, false);
      assert.match(sub.disabled_reason, /egress policy/);
      assert.equal(receiver.received.length, 0, 'the loopback receiver was never reached');
      assert.ok(answers >= 2, 'resolved again at delivery');
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('an allowlisted name is delivered through the vetted address (the connect-time lookup works)', async () => {
    const receiver = await startReceiver();
    const resolve: Resolver = async (host) => (host === 'nodered.lan' ? ['127.0.0.1'] : []);
    const f = await sportsFixture({ env: { WEBHOOK_ALLOWED_HOSTS: 'nodered.lan' }, resolve });
    try {
      const port = new URL(receiver.url).port;
      assert.equal((await create(f, receiver.url)).statusCode, 400, 'the IP itself is not on the list');
      const id = await createWebhook(f, { url: `http://nodered.lan:${port}/hook`, events: ['game_started'] });
      await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
      await waitFor(() => receiver.received.length === 1, 5000, 'delivered');
      assert.ok(receiver.received[0]?.verified);
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('WEBHOOK_ALLOW_PRIVATE opens the LAN, never loopback or link-local', async () => {
    const f = await sportsFixture({ env: { WEBHOOK_ALLOWED_HOSTS: '', WEBHOOK_ALLOW_PRIVATE: 'true' } });
    try {
      for (const url of ['http://192.168.1.20:1880/ha', 'http://10.1.2.3/', 'http://[fd12::5]/'])
        assert.equal((await create(f, url)).statusCode, 201, url);
      for (const url of [
        'http://127.0.0.1/',
        'http://169.254.169.254/',
        'http://[::ffff:127.0.0.1]/',
        'http://localhost/',
      ])
        assert.equal((await create(f, url)).statusCode, 400, url);
    } finally {
      await f.close();
    }
  });

  test('a closed port and a silent receiver read the same in the delivery log: no port scanning', async () => {
    const closed = await startReceiver();
    const closedUrl = closed.url;
    await closed.stop();
    const silent = await startReceiver(undefined, () => 'hang');
    const f = await sportsFixture({ env: { WEBHOOK_TIMEOUT: '300ms', WEBHOOK_RETRY_BASE: '1h' } });
    try {
      const a = await createWebhook(f, { url: closedUrl, events: ['game_started'] });
      const b = await createWebhook(f, { url: silent.url, events: ['game_started'] });
      for (const id of [a, b])
        await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
      await waitFor(
        async () => (await deliveries(f, a))[0]?.attempts === 1 && (await deliveries(f, b))[0]?.attempts === 1,
        5000,
        'both attempted',
      );
      for (const id of [a, b]) {
        const [d] = await deliveries(f, id);
        assert.equal(d?.last_error, NO_ANSWER);
        assert.equal(d?.last_status_code, null);
        assert.ok(!JSON.stringify(d).includes('ECONNREFUSED'));
      }
    } finally {
      await f.close();
      await silent.stop();
    }
  });

  test('the 51st subscription is a 409 and the 50 stay', async () => {
    const f = await sportsFixture();
    try {
      for (let i = 0; i < 50; i++) assert.equal((await create(f, `https://hooks.example.test/${i}`)).statusCode, 201);
      const res = await create(f, 'https://hooks.example.test/51');
      assert.equal(res.statusCode, 409);
      assert.match(res.json().message, /at most 50 webhook subscriptions \(WEBHOOK_MAX_SUBSCRIPTIONS\)/);
      assert.equal(await listCount(f), 50);
    } finally {
      await f.close();
    }
  });

  test('oversized url, secret and filters are 400s', async () => {
    const f = await sportsFixture();
    try {
      const big = await f.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: AUTH,
        payload: { url: `https://example.test/${'a'.repeat(3000)}`, secret: SECRET, events: ['game_started'] },
      });
      assert.equal(big.statusCode, 400);
      const secret = await f.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: AUTH,
        payload: { url: 'https://example.test/h', secret: 's'.repeat(300), events: ['game_started'] },
      });
      assert.equal(secret.statusCode, 400);
      const filter = await f.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: AUTH,
        payload: {
          url: 'https://example.test/h',
          secret: SECRET,
          entity_filter: { entity_ids: Array.from({ length: 101 }, (_, i) => `sensor.s${i}`) },
        },
      });
      assert.equal(filter.statusCode, 400);
      const creds = await create(f, 'https://user:pw@example.test/h');
      assert.equal(creds.statusCode, 400);
      assert.equal(await listCount(f), 0);
    } finally {
      await f.close();
    }
  });

  test('WEBHOOK_ALLOWED_HOSTS entries are checked at start', () => {
    assert.throws(
      () => loadSportsConfig({ WEBHOOK_ALLOWED_HOSTS: '192.168.1.0/33,nodered.lan,not a host' }),
      /WEBHOOK_ALLOWED_HOSTS entries must be IPs, CIDRs or host names, got "192.168.1.0\/33", "not a host"/,
    );
    const policy = new EgressPolicy({ allowPrivate: false, allowedHosts: ['192.168.1.0/24', '*.lan'] });
    assert.equal(policy.refusal('x', '192.168.1.9'), null);
    assert.equal(policy.refusal('x', '::ffff:192.168.1.9'), null, 'mapped form of an allowed address');
    assert.notEqual(policy.refusal('x', '192.168.2.9'), null);
    assert.equal(policy.refusal('kitchen.lan', '10.0.0.4'), null);
  });
});
