import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Real dependencies (influxd, nginx, chromium) are used for real. Locally a missing one skips the tests
 * that need it, with the reason; under CI=true it is a failure, so CI can never pass by skipping.
 */
export function findExecutable(names: string[]): string | undefined {
  for (const name of names) {
    if (name.startsWith('/')) {
      if (existsSync(name)) return name;
      continue;
    }
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

export function isCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * Returns the executable path, or a skip reason for node:test's `{ skip }` option.
 * Throws under CI when the dependency is missing.
 */
export function requireExecutable(
  what: string,
  names: string[],
): { path: string; skip: false } | { path: undefined; skip: string } {
  const path = findExecutable(names);
  if (path) return { path, skip: false };
  const reason = `${what} not installed (looked for ${names.join(', ')}); .ci/run installs it`;
  if (isCi()) throw new Error(`CI=true and ${reason}`);
  return { path: undefined, skip: reason };
}
