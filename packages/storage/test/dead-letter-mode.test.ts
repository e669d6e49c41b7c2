import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@homeiq/core/testing/temp';
import { DeadLetter } from '../src/pipeline/dead-letter';
import { event } from './pipeline-helpers';

test('the dead letter holds raw states: it is created 0600, whatever the umask', () => {
  const dir = tempDir('homeiq-dead-letter-');
  const previous = process.umask(0o022);
  try {
    const file = join(dir.path, 'dead-letter.jsonl');
    assert.equal(new DeadLetter(file).append([{ event: event(1), reason: 'refused by the store' }], Date.now()), 1);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    process.umask(previous);
    dir.remove();
  }
});
