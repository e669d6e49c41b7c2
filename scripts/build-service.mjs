#!/usr/bin/env node
// Builds one service (or all) into dist/<service>/main.mjs: HomeIQ's own TypeScript bundled by esbuild,
// third-party packages left as imports (they come from `npm ci --omit=dev` in the runtime image).
// Usage: node scripts/build-service.mjs [service ...]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const node = ['websocket-ingestion', 'data-api', 'admin-api', 'data-retention', 'weather-api', 'sports-data'];
const wanted = process.argv.slice(2);
const targets = wanted.length > 0 ? wanted : node;

function thirdPartyDependencies() {
  const names = new Set();
  const manifests = [join(root, 'package.json')];
  for (const group of ['packages', 'services']) {
    for (const dir of readdirSync(join(root, group))) manifests.push(join(root, group, dir, 'package.json'));
  }
  for (const file of manifests) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      if (!dep.startsWith('@homeiq/')) names.add(dep);
    }
  }
  return [...names];
}

const external = thirdPartyDependencies().flatMap((d) => [d, `${d}/*`]);
const entries = join(root, 'dist', '.entries');
mkdirSync(entries, { recursive: true });

for (const name of targets) {
  if (!node.includes(name)) {
    console.error(`build-service: unknown service "${name}" (one of ${node.join(', ')})`);
    process.exit(2);
  }
  const entry = join(entries, `${name}.ts`);
  writeFileSync(
    entry,
    `import { createService } from '@homeiq/${name}';
import { runServices } from '../../cli/supervisor';

process.exitCode = await runServices({
  env: { ...process.env },
  services: [{ name: '${name}', create: createService }],
  strict: true,
});
`,
  );
  const outdir = join(root, 'dist', name);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external,
    logLevel: 'warning',
  });
  console.log(`built dist/${name}/main.mjs`);
}
rmSync(entries, { recursive: true, force: true });
