import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { envExample, readmeWithConfig } from '../../scripts/config-docs';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

test('README starts with the two commands a new user needs', () => {
  const readme = read('README.md');
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(firstBlock, /^npm ci && npm start\b/m);
  assert.match(firstBlock, /^npm test\b/m);
  assert.ok(readme.indexOf('```sh') < 20, 'the commands come first');
});

test("README's configuration reference is the schemas' (run: npx tsx scripts/config-docs.ts --readme)", () => {
  const readme = read('README.md');
  assert.equal(readme, readmeWithConfig(readme));
});

test('.env.example is generated from the schemas (run: npx tsx scripts/config-docs.ts --env > .env.example)', () => {
  assert.equal(read('.env.example'), envExample());
});
