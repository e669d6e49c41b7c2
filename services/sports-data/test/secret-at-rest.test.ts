import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import Database from 'better-sqlite3';
import { loadSportsConfig } from '../src/config';
import { openWebhookDb } from '../src/webhooks/db';
import { KEY_FILE } from '../src/webhooks/secret-box';
import { AUTH, createWebhook, SECRET, sportsFixture, startReceiver } from './helpers';

const storedSecrets = (dir: string) => {
  const db = new Database(`${dir}/webhooks.db`, { readonly: true });
  try {
    return db.prepare('SELECT id, secret FROM subscriptions').all() as Array<{ id: string; secret: string }>;
  } finally {
    db.close();
  }
};

describe('webhook secrets at rest', () => {
  test('webhooks.db holds only sealed secrets; the key sits in its own 0600 file; deliveries still verify', async () => {
    const receiver = await startReceiver();
    const f = await sportsFixture();
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_started'] });
      const [row] = storedSecrets(f.dir);
      assert.equal(row?.id, id);
      assert.match(String(row?.secret), /^aes256gcm:/);
      for (const file of ['webhooks.db', 'webhooks.db-wal'].filter((n) => existsSync(`${f.dir}/${n}`))) {
        assert.ok(!readFileSync(`${f.dir}/${file}`).includes(SECRET), `the clear secret is nowhere in ${file}`);
      }
      assert.equal(statSync(`${f.dir}/${KEY_FILE}`).mode & 0o777, 0o600);
      await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
      await waitFor(() => receiver.received.length === 1, 5000, 'delivered');
      assert.ok(receiver.received[0]?.verified, 'signed with the original secret');
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('clear secrets from an older version are sealed at start and keep signing', async () => {
    const dir = tempDir('homeiq-sports-legacy-');
    const receiver = await startReceiver();
    const db = openWebhookDb(`${dir.path}/webhooks.db`);
    db.prepare(
      `INSERT INTO subscriptions (id, url, kind, events, teams, secret, created_at, updated_at)
       VALUES ('wh_00000000000000aa', ?, 'sports', '["game_started"]', '[]', ?, 0, 0)`,
    ).run(receiver.url, SECRET);
    db.close();
    const f = await sportsFixture({ dir: dir.path });
    try {
      assert.match(String(storedSecrets(dir.path)[0]?.secret), /^aes256gcm:/);
      await f.app.inject({ method: 'POST', url: '/api/v1/webhooks/wh_00000000000000aa/test', headers: AUTH });
      await waitFor(() => receiver.received.length === 1, 5000, 'delivered');
      assert.ok(receiver.received[0]?.verified);
    } finally {
      await f.close();
      await receiver.stop();
      dir.remove();
    }
  });

  test('webhooks.db opened with another key: its subscriptions are disabled, not signing with garbage', async () => {
    const dir = tempDir('homeiq-sports-otherkey-');
    const first = await sportsFixture({ dir: dir.path });
    const id = await createWebhook(first, { url: 'https://example.test/h', events: ['game_started'] });
    await first.stop();
    const other = randomBytes(32).toString('hex');
    const f = await sportsFixture({ dir: dir.path, env: { WEBHOOK_SECRET_KEY: other } });
    try {
      const sub = (await f.app.inject({ url: `/api/v1/webhooks/${id}`, headers: AUTH })).json();
      assert.equal(sub.enabled, false);
      assert.match(sub.disabled_reason, /does not open with this WEBHOOK_SECRET_KEY/);
    } finally {
      await f.close();
      dir.remove();
    }
  });

  test('WEBHOOK_SECRET_KEY must be 32 bytes', () => {
    assert.throws(
      () => loadSportsConfig({ WEBHOOK_SECRET_KEY: 'too-short-to-be-a-key' }),
      /WEBHOOK_SECRET_KEY must be 32 bytes/,
    );
    assert.doesNotThrow(() => loadSportsConfig({ WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64') }));
  });
});
