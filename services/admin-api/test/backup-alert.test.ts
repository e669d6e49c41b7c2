// End to end over loopback HTTP: data-retention's backup fails (its backup folder cannot be created), its /health
// says so, and admin-api, watching it, raises the critical backup-failed alert.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { createService as createRetention } from '@homeiq/data-retention';
import { Runtime } from '@homeiq/storage';
import { createService as createAdmin } from '../src/index';

const KEY = 'backup-alert-key-0123456789';
const AUTH = { authorization: `Bearer ${KEY}` };

test('a failed backup raises a critical backup-failed alert naming the error', { timeout: 60_000 }, async () => {
  const dir = tempDir('homeiq-backup-alert-');
  const blocker = join(dir.path, 'not-a-folder');
  const common = { HOMEIQ_DATA_DIR: dir.path, API_KEY: KEY, HOMEIQ_HOST: '127.0.0.1' };
  const retentionRuntime = new Runtime(
    { ...common, DATA_RETENTION_PORT: '0', BACKUP_DIR: blocker, BACKUP_SCHEDULE: 'off', RETENTION_SCHEDULE: 'off' },
    silentLogger(),
  );
  const retention = createRetention(retentionRuntime);
  await retention.start();
  // After the start (which lists the folder): a file where the backup folder should be.
  writeFileSync(blocker, 'not a folder');
  const adminRuntime = new Runtime(
    {
      ...common,
      ADMIN_API_PORT: '0',
      MONITORED_SERVICES: 'data-retention',
      DATA_RETENTION_URL: `http://127.0.0.1:${retention.port}`,
      ALERT_INTERVAL: '100ms',
    },
    silentLogger(),
  );
  const admin = createAdmin(adminRuntime);
  try {
    await admin.start();
    const started = await retention.app.inject({ method: 'POST', url: '/api/v1/backups', headers: AUTH, payload: {} });
    assert.equal(started.statusCode, 202, started.body);
    const alert = await waitFor(
      async () => {
        const res = await admin.app.inject({ url: '/api/v1/alerts', headers: AUTH });
        const alerts = (
          res.json() as { alerts: Array<{ id: string; active: boolean; severity: string; message: string }> }
        ).alerts;
        return alerts.find((a) => a.id === 'backup-failed' && a.active);
      },
      20_000,
      'the backup-failed alert',
    );
    assert.equal(alert.severity, 'critical');
    assert.match(alert.message, /backup failed: .*(EEXIST|ENOTDIR|not-a-folder)/);
  } finally {
    await admin.stop();
    await retention.stop();
    await adminRuntime.close();
    await retentionRuntime.close();
    dir.remove();
  }
});
