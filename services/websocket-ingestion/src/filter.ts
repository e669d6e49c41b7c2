import { readFileSync } from 'node:fs';
import { ConfigError } from '@homeiq/core';

export interface FilterRules {
  includeDomains: string[];
  includeEntities: string[];
  excludeDomains: string[];
  excludeEntities: string[];
}

/** Decides per entity id whether it is ingested. Decisions are cached: the hot path does one Map lookup. */
export interface EntityFilter {
  accepts(entityId: string): boolean;
  readonly active: boolean;
  describe(): FilterRules;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

interface Matcher {
  exact: Set<string>;
  globs: RegExp[];
  domains: Set<string>;
}

function matcher(domains: string[], entities: string[]): Matcher {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const e of entities) {
    if (/[*?]/.test(e)) globs.push(globToRegExp(e));
    else exact.add(e);
  }
  return { exact, globs, domains: new Set(domains) };
}

function matches(m: Matcher, entityId: string): boolean {
  if (m.exact.has(entityId)) return true;
  const dot = entityId.indexOf('.');
  if (dot > 0 && m.domains.has(entityId.slice(0, dot))) return true;
  for (const g of m.globs) if (g.test(entityId)) return true;
  return false;
}

/**
 * Rules: an entity listed by exact id in the include list is always kept; otherwise any exclude match drops it;
 * otherwise, when include rules exist, only entities matching one are kept; with no rules everything is kept.
 */
export function createEntityFilter(rules: FilterRules): EntityFilter {
  const include = matcher(rules.includeDomains, rules.includeEntities);
  const exclude = matcher(rules.excludeDomains, rules.excludeEntities);
  const hasInclude = rules.includeDomains.length + rules.includeEntities.length > 0;
  const active = hasInclude || rules.excludeDomains.length + rules.excludeEntities.length > 0;
  const cache = new Map<string, boolean>();
  const decide = (id: string): boolean => {
    if (include.exact.has(id)) return true;
    if (matches(exclude, id)) return false;
    return !hasInclude || matches(include, id);
  };
  return {
    active,
    accepts(entityId) {
      if (!active) return true;
      let v = cache.get(entityId);
      if (v === undefined) {
        v = decide(entityId);
        if (cache.size > 100_000) cache.clear();
        cache.set(entityId, v);
      }
      return v;
    },
    describe: () => rules,
  };
}

const FILE_KEYS = ['include', 'exclude'];
const PART_KEYS = ['domains', 'entities'];

/** Reads HOMEIQ_FILTER_FILE: {"include": {"domains": [], "entities": []}, "exclude": {...}}; errors name the field. */
export function readFilterFile(path: string): FilterRules {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`HOMEIQ_FILTER_FILE ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const problems: string[] = [];
  const out: FilterRules = { includeDomains: [], includeEntities: [], excludeDomains: [], excludeEntities: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([`HOMEIQ_FILTER_FILE ${path}: must be a JSON object with "include" and/or "exclude"`]);
  }
  for (const key of Object.keys(raw)) {
    if (!FILE_KEYS.includes(key)) problems.push(`HOMEIQ_FILTER_FILE ${path}: unknown key "${key}"`);
  }
  for (const side of FILE_KEYS) {
    const part = (raw as Record<string, unknown>)[side];
    if (part === undefined) continue;
    if (typeof part !== 'object' || part === null || Array.isArray(part)) {
      problems.push(`HOMEIQ_FILTER_FILE ${path}: ${side} must be an object with "domains" and/or "entities"`);
      continue;
    }
    for (const [k, v] of Object.entries(part)) {
      if (!PART_KEYS.includes(k)) {
        problems.push(`HOMEIQ_FILTER_FILE ${path}: unknown key "${side}.${k}"`);
      } else if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) {
        problems.push(`HOMEIQ_FILTER_FILE ${path}: ${side}.${k} must be an array of non-empty strings`);
      } else {
        const target = `${side}${k === 'domains' ? 'Domains' : 'Entities'}` as keyof FilterRules;
        out[target].push(...(v as string[]).map((s) => s.trim()));
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

export function mergeRules(a: FilterRules, b: FilterRules): FilterRules {
  return {
    includeDomains: [...a.includeDomains, ...b.includeDomains],
    includeEntities: [...a.includeEntities, ...b.includeEntities],
    excludeDomains: [...a.excludeDomains, ...b.excludeDomains],
    excludeEntities: [...a.excludeEntities, ...b.excludeEntities],
  };
}
