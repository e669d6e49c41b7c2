import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha/sim/index';
import { TestClient } from './sim-helpers';

describe('simulated HA: authentication phase', () => {
  let home: SimulatedHome;
  before(async () => {
    home = await startSimulatedHome({ rate: 0, entityCount: 20, authTimeoutMs: 300 });
  });
  after(() => home.stop());

  test('auth_required comes first, then a valid token gets auth_ok and the command phase', async () => {
    const client = await TestClient.open(home);
    const first = await client.next(() => true);
    assert.deepEqual(first, { type: 'auth_required', ha_version: '2025.1.0' });
    client.send({ type: 'auth', access_token: home.token });
    assert.deepEqual(await client.next(() => true), { type: 'auth_ok', ha_version: '2025.1.0' });
    const pong = await client.command({ type: 'ping' });
    assert.equal(pong.type, 'pong');
    client.close();
  });

  test('auth sent before auth_required arrives (as the official JS client does) is accepted', async () => {
    const client = await TestClient.open(home, { sendAuth: home.token });
    await client.next((m) => m.type === 'auth_ok');
    assert.deepEqual(
      client.messages.map((m) => m.type),
      ['auth_required', 'auth_ok'],
    );
    client.close();
  });

  test('a wrong token gets auth_invalid and the socket is closed', async () => {
    const client = await TestClient.open(home, { sendAuth: 'not-the-token' });
    const invalid = await client.next((m) => m.type === 'auth_invalid');
    assert.equal(invalid.message, 'Invalid access token or password');
    assert.equal((await client.closed).code, 1000);
    await client.waitFor(() => home.controls.clients() === 0, 2000, 'the server to forget every socket');
  });

  test('a malformed auth message gets auth_invalid naming the problem, then a close', async () => {
    const client = await TestClient.open(home);
    client.send({ type: 'auth', access_token: home.token, extra: 1 });
    const invalid = await client.next((m) => m.type === 'auth_invalid');
    assert.match(invalid.message, /^Auth message incorrectly formatted: extra keys not allowed @ data\['extra'\]/);
    await client.closed;
    const other = await TestClient.open(home);
    other.send({ type: 'login', access_token: home.token });
    assert.match((await other.next((m) => m.type === 'auth_invalid')).message, /data\['type'\]/);
    await other.closed;
  });

  test('invalid JSON during auth closes without an answer; commands before auth are not run', async () => {
    const client = await TestClient.open(home);
    client.send('{not json');
    await client.closed;
    assert.deepEqual(
      client.messages.map((m) => m.type),
      ['auth_required'],
    );
    const early = await TestClient.open(home);
    early.send({ id: 1, type: 'get_states' });
    assert.equal((await early.next((m) => m.type === 'auth_invalid')).type, 'auth_invalid');
    await early.closed;
  });

  test('no auth within the timeout: the server closes the socket', async () => {
    const client = await TestClient.open(home);
    const started = Date.now();
    await client.closed;
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 3000, `closed after ${waited} ms`);
    assert.deepEqual(
      client.messages.map((m) => m.type),
      ['auth_required'],
    );
  });

  test('the WebSocket endpoint is /api/websocket only; REST probes need the token', async () => {
    const wrongPath = await fetch(`${home.url}/api/other`, { headers: { authorization: `Bearer ${home.token}` } });
    assert.equal(wrongPath.status, 404);
    assert.equal((await fetch(`${home.url}/api/`)).status, 401);
    const ok = await fetch(`${home.url}/api/`, { headers: { authorization: `Bearer ${home.token}` } });
    assert.deepEqual(await ok.json(), { message: 'API running.' });
  });
});
