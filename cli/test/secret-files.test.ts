import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, DOCUMENTED_PLACEHOLDERS, loadConfig } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { CONFIG_GROUPS } from '../../scripts/config-docs';

const secretFields = CONFIG_GROUPS.flatMap(([, schema]) => Object.values(schema).filter((f) => f.secret));

test('every secret variable can come from <NAME>_FILE (Docker secrets), trailing newline dropped', () => {
  const names = new Set(secretFields.map((f) => f.env));
  for (const expected of ['API_KEY', 'HA_TOKEN', 'INFLUXDB_TOKEN', 'INFLUXDB_PASSWORD', 'WEATHER_API_KEY']) {
    assert.ok(names.has(expected), `${expected} is declared secret`);
  }
  const dir = tempDir('homeiq-secret-files-');
  try {
    for (const field of secretFields) {
      const value = `${field.env.toLowerCase()}-from-a-docker-secret-0123456789`;
      const file = join(dir.path, field.env);
      writeFileSync(file, `${value}\n`);
      const parsed = loadConfig({ field }, { [`${field.env}_FILE`]: file });
      assert.equal(parsed.field, value, field.env);
      assert.throws(
        () => loadConfig({ field }, { [`${field.env}_FILE`]: join(dir.path, 'missing') }),
        (e: unknown) =>
          e instanceof ConfigError &&
          new RegExp(`${field.env} cannot be read from ${field.env}_FILE=.*ENOENT`).test(e.message),
      );
    }
  } finally {
    dir.remove();
  }
});

test('a secret left at any placeholder .env.example shows is refused', () => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const shown = [...example.matchAll(/^([A-Z0-9_]+)=(.+)$/gm)].filter(([, name]) =>
    /TOKEN|PASSWORD|KEY/.test(name ?? ''),
  );
  assert.ok(shown.length >= 3);
  for (const [, name, value] of shown) {
    assert.ok(DOCUMENTED_PLACEHOLDERS.includes(value ?? ''), `${name}=${value} is a documented placeholder`);
    const field = secretFields.find((f) => f.env === name);
    if (field) assert.throws(() => loadConfig({ field }, { [name as string]: value }), /placeholder/, name);
  }
});

test('no URL variable of any schema takes user:password@, and the error never repeats the password', () => {
  const urlFields = CONFIG_GROUPS.flatMap(([, schema]) => Object.values(schema)).filter((f) => {
    try {
      f.parse('http://probe.test');
      return /\burl\b|URL/.test(f.env) && f.parse('http://probe.test/') === 'http://probe.test';
    } catch {
      return false;
    }
  });
  assert.ok(urlFields.some((f) => f.env === 'INFLUXDB_URL') && urlFields.some((f) => f.env === 'HA_URL'));
  for (const field of urlFields) {
    assert.throws(
      () => loadConfig({ field }, { [field.env]: 'http://someone:s3cret-pw@host.test:8086' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes(`${field.env} must not contain a user name or password`) &&
        !e.message.includes('s3cret-pw'),
      field.env,
    );
  }
});
