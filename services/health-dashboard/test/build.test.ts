import assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { buildApp, isStale, PACKAGE_DIR } from '../src/server/build';

const out = tempDir('homeiq-dash-build-');
after(() => out.remove());

test('vite builds the app into dist; a source newer than the build makes it stale', async () => {
  assert.equal(isStale(out.path), true, 'nothing built yet');
  await buildApp(out.path, silentLogger());
  const index = readFileSync(join(out.path, 'index.html'), 'utf8');
  const assets = readdirSync(join(out.path, 'assets'));
  const js = assets.find((f) => f.endsWith('.js'));
  assert.ok(js && index.includes(`/assets/${js}`), 'index.html loads the hashed bundle');
  assert.ok(assets.some((f) => f.endsWith('.css')));
  assert.match(readFileSync(join(out.path, 'assets', js), 'utf8'), /SIMULATED HOME/);
  assert.equal(isStale(out.path), false);
  const future = new Date(Date.now() + 60_000);
  utimesSync(join(out.path, 'index.html'), new Date(0), new Date(0));
  assert.equal(isStale(out.path), true, 'sources newer than the build');
  utimesSync(join(out.path, 'index.html'), future, future);
  assert.equal(isStale(out.path), false);
  assert.ok(PACKAGE_DIR.endsWith('health-dashboard'));
});
