// `npm run bench [-- suite ...]`: runs every bench/*.bench.ts (or the named ones), prints one table, writes JSON.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchResult } from './types';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .filter((s) => wanted.length === 0 || wanted.includes(s))
  .sort();

const results: BenchResult[] = [];
for (const suite of suites) {
  const tmp = mkdtempSync(join(tmpdir(), `homeiq-bench-${suite}-`));
  const ctx: BenchContext = {
    tmp,
    quick: process.env.BENCH_QUICK === '1',
    log: (m) => process.stderr.write(`[${suite}] ${m}\n`),
  };
  try {
    const mod = (await import(`./${suite}.bench.ts`)) as { run(ctx: BenchContext): Promise<BenchResult[]> };
    results.push(...(await mod.run(ctx)));
  } catch (error) {
    process.stderr.write(`[${suite}] FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));
const rows = results.map((r) => [
  r.suite,
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
  r.goal ?? '',
  r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
]);
const header = ['suite', 'measure', 'value', 'ratio', 'goal', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
for (const r of rows) process.stdout.write(`${line(r)}\n`);

const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
writeFileSync(
  join(outDir, 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2),
);
process.stdout.write(`\nwritten: ${file}\n`);
