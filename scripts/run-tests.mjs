#!/usr/bin/env node
// Runs every *.test.ts under packages/, services/, cli/, deploy/ and addon/ with node's test runner (TypeScript through tsx).
// Usage: npm test [-- <path filter> ...]   e.g. `npm test -- storage` runs only files whose path contains "storage".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'services', 'cli', 'deploy', 'bench', 'addon'];

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(relative(root, full));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((r) => collect(join(root, r), []))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A file whose tests are done ends even if something it started still holds the event loop, and no single test
// runs past 15 minutes: a leak or a hang fails its test instead of stalling the whole run.
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-force-exit',
  '--test-timeout=900000',
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
