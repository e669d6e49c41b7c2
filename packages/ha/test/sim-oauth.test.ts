import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha/sim/index';

const APP = 'http://127.0.0.1:3000/';

describe("simulated HA: OAuth sign-in (HA's /auth/authorize and /auth/token)", () => {
  let home: SimulatedHome;
  let closed: SimulatedHome;
  before(async () => {
    home = await startSimulatedHome({ rate: 0, entityCount: 5, oauthUser: { id: 'u1', name: 'Dana' } });
    closed = await startSimulatedHome({ rate: 0, entityCount: 5 });
  });
  after(async () => {
    await home?.stop();
    await closed?.stop();
  });

  const authorize = (sim: SimulatedHome, params: Record<string, string>) =>
    fetch(`${sim.url}/auth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
  const token = (form: Record<string, string>) =>
    fetch(`${home.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const codeFrom = async (res: Response) => {
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.origin + back.pathname, `${APP}cb`);
    return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') };
  };
  const ok = { response_type: 'code', client_id: APP, redirect_uri: `${APP}cb`, state: 's-1' };

  test('authorize approves the configured user and returns to the app with a code and the state', async () => {
    const { code, state } = await codeFrom(await authorize(home, ok));
    assert.equal(state, 's-1');
    const res = await token({ grant_type: 'authorization_code', code, client_id: APP });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 1800);
    const api = await fetch(`${home.url}/api/`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(api.status, 200, 'the REST API accepts the issued token');
    assert.deepEqual(await api.json(), { message: 'API running.' });
  });

  test('a code works once, only for its client; unknown tokens are 401', async () => {
    const { code } = await codeFrom(await authorize(home, ok));
    assert.equal((await token({ grant_type: 'authorization_code', code, client_id: 'http://other/' })).status, 400);
    assert.equal((await token({ grant_type: 'authorization_code', code, client_id: APP })).status, 400, 'used up');
    assert.equal((await token({ grant_type: 'password', code, client_id: APP })).status, 400);
    const api = await fetch(`${home.url}/api/`, { headers: { authorization: 'Bearer made-up' } });
    assert.equal(api.status, 401);
  });

  test('a redirect to another host, or a home with no sign-in user, is refused', async () => {
    assert.equal((await authorize(home, { ...ok, redirect_uri: 'http://evil.example/cb' })).status, 400);
    assert.equal((await authorize(home, { ...ok, response_type: 'token' })).status, 400);
    assert.equal((await authorize(closed, ok)).status, 403);
  });
});
