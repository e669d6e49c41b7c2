import { domainOf, type StateEvent } from '@homeiq/storage';
import type { EntityFilter } from './types';

/** `*` matches any run of characters, `?` one; everything else literally. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export type EventPredicate = (event: StateEvent) => boolean;

/**
 * Compiles an entity filter: entity_ids globs (any may match) AND domains (any may match) AND the state
 * condition. A removal (no new state) passes only filters without a state condition.
 */
export function compileEntityFilter(filter: EntityFilter): EventPredicate {
  const globs = filter.entity_ids?.map(globToRegExp);
  const domains = filter.domains ? new Set(filter.domains) : undefined;
  const cond = filter.state;
  return (e) => {
    if (globs && !globs.some((g) => g.test(e.entityId))) return false;
    if (domains && !domains.has(domainOf(e.entityId))) return false;
    if (!cond) return true;
    if (e.removed) return false;
    if (cond.equals !== undefined && e.state !== cond.equals) return false;
    if (cond.not_equals !== undefined && e.state === cond.not_equals) return false;
    if (cond.above !== undefined || cond.below !== undefined) {
      const value = e.state.trim() === '' ? Number.NaN : Number(e.state);
      if (!Number.isFinite(value)) return false;
      if (cond.above !== undefined && !(value > cond.above)) return false;
      if (cond.below !== undefined && !(value < cond.below)) return false;
    }
    return true;
  };
}
