import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@homeiq/core';
import { writeFileAtomic } from './files';

/** How long each tier is kept, in days; 0 keeps it forever. */
export interface Policies {
  raw_days: number;
  short_term_days: number;
  hourly_days: number;
}

export const POLICY_FIELDS = ['raw_days', 'short_term_days', 'hourly_days'] as const;
export const MAX_DAYS = 36_500;
export const DAY_US = 86_400_000_000;

/** Checks a policies object; throws a ValidationError naming the first bad field. */
export function validatePolicies(input: unknown): Policies {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('body', 'must be an object with raw_days, short_term_days and hourly_days');
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(key)) {
      throw new ValidationError(key, `unknown field (allowed: ${POLICY_FIELDS.join(', ')})`);
    }
  }
  const out: Partial<Policies> = {};
  for (const field of POLICY_FIELDS) {
    const v = o[field];
    if (v === undefined) throw new ValidationError(field, 'is required');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_DAYS) {
      throw new ValidationError(field, `must be a whole number of days from 0 (forever) to ${MAX_DAYS}`);
    }
    out[field] = v;
  }
  return out as Policies;
}

/**
 * The effective policies: those PUT through the API (kept in the data dir, surviving restarts) or else the env
 * defaults. `source` tells which.
 */
export class PolicyStore {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly defaults: Policies,
  ) {
    this.file = join(dataDir, 'retention-policies.json');
  }

  get(): { policies: Policies; source: 'env' | 'api' } {
    if (!existsSync(this.file)) return { policies: { ...this.defaults }, source: 'env' };
    try {
      return { policies: validatePolicies(JSON.parse(readFileSync(this.file, 'utf8'))), source: 'api' };
    } catch (error) {
      throw new Error(`${this.file} is not a valid policies file: ${(error as Error).message}`, { cause: error });
    }
  }

  set(input: unknown): Policies {
    const policies = validatePolicies(input);
    writeFileAtomic(this.file, `${JSON.stringify(policies, null, 2)}\n`);
    return policies;
  }
}
