import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makePrivateDir, restrictDir, restrictFile } from '../src/private-files';
import { tempDir } from '../src/testing/temp';

const mode = (path: string) => statSync(path).mode & 0o777;

test('folders are made 0700 at every level, files and an old 0755 data dir tightened', () => {
  const dir = tempDir('homeiq-private-');
  try {
    makePrivateDir(join(dir.path, 'a', 'b'));
    assert.equal(mode(join(dir.path, 'a')), 0o700);
    assert.equal(mode(join(dir.path, 'a', 'b')), 0o700);
    const old = join(dir.path, 'old-data');
    mkdirSync(old, { mode: 0o755 });
    chmodSync(old, 0o755);
    restrictDir(old);
    assert.equal(mode(old), 0o700);
    const file = join(dir.path, 'db.sqlite');
    writeFileSync(file, '', { mode: 0o644 });
    chmodSync(file, 0o644);
    restrictFile(file);
    assert.equal(mode(file), 0o600);
  } finally {
    dir.remove();
  }
});

test('what cannot be changed is left alone: a missing folder, a file not ours', () => {
  assert.doesNotThrow(() => restrictDir('/nonexistent-homeiq-dir'));
  assert.doesNotThrow(() => restrictFile('/nonexistent-homeiq-dir/x.db'));
  if (process.getuid?.() !== 0) assert.doesNotThrow(() => restrictDir('/'), 'EPERM on a folder owned by root');
});
