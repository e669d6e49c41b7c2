import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@homeiq/core';

/** The dashboard package folder (holds vite.config.ts, src/web and dist). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DIST = join(PACKAGE_DIR, 'dist');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when dist/ is missing or older than any source of the app. */
export function isStale(distDir: string): boolean {
  const built = join(distDir, 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newestMtime(join(PACKAGE_DIR, 'src', 'web')),
    newestMtime(join(PACKAGE_DIR, 'vite.config.ts')),
    newestMtime(join(PACKAGE_DIR, 'package.json')),
  );
  return sources > statSync(built).mtimeMs;
}

/**
 * Runs `vite build` in a child process (keeps the bundler's memory out of the server) into a fresh folder beside
 * `distDir`, then swaps it in, so a server (or a second `homeiq start`) never reads a half-written dist/.
 */
export async function buildApp(distDir: string, logger: Logger): Promise<void> {
  const staging = `${distDir}.building-${process.pid}-${Date.now()}`;
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const started = Date.now();
  logger.info({ distDir }, 'building the dashboard (vite build)');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', staging, '--emptyOutDir'], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output}`)),
    );
  }).catch((error: unknown) => {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  });
  rmSync(distDir, { recursive: true, force: true });
  try {
    renameSync(staging, distDir);
  } catch (error) {
    // Another process swapped its fresh build in between: use that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(distDir, 'index.html'))) throw error;
  }
  logger.info({ tookMs: Date.now() - started }, 'dashboard built');
}
