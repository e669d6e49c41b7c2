import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every environment variable HomeIQ's code reads, found by scanning the sources: config schema fields
 * (`str('NAME', ...)`, `int(`, `secret(` ...) and direct reads (`env.NAME`, `env['NAME']`).
 */
const FIELD_CALL =
  /\b(?:str|optionalStr|secret|int|num|port|duration|bool|oneOf|list|url|keyValues|measurementName)\(\s*'([A-Z][A-Z0-9_]+)'/g;
const DIRECT_READ = /\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', 'test', 'testing'].includes(name) || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

export function envVarsReadByCode(root: string): Set<string> {
  const names = new Set<string>();
  const files = ['packages', 'services', 'cli'].flatMap((d) => sources(join(root, d)));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of [FIELD_CALL, DIRECT_READ]) {
      for (const match of text.matchAll(re)) if (match[1]) names.add(match[1]);
    }
  }
  return names;
}
