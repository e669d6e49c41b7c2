import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SimulatedHome } from '@homeiq/ha/sim/index';
import { TestClient } from './sim-helpers';

const bin = fileURLToPath(new URL('../../../bin/homeiq.js', import.meta.url));

function homeiq(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('homeiq simulate', () => {
  test('prints HA_URL and HA_TOKEN, serves the API, and stops cleanly on SIGTERM', async () => {
    const run = homeiq(['simulate', '--port', '0', '--rate', '0', '--entities', '30', '--seed', '5']);
    try {
      const deadline = Date.now() + 20_000;
      while (!/HA_TOKEN=\S+/.test(run.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /HA_URL=(\S+)/.exec(run.out())?.[1];
      const token = /HA_TOKEN=(\S+)/.exec(run.out())?.[1];
      assert.ok(url && token, `output: ${run.out()} ${run.err()}`);
      const client = await TestClient.authed({ url, token } as SimulatedHome);
      const { result } = await client.command({ type: 'get_states' });
      assert.equal(result.length, 30);
      client.close();
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
      assert.match(run.out(), /stopped/);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('a bad option is an error naming it', async () => {
    const run = homeiq(['simulate', '--rate', 'fast']);
    assert.equal(await run.exited, 2);
    assert.match(run.err(), /--rate: expected a number/);
  });
});
