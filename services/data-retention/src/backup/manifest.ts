import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, ValidationError } from '@homeiq/core';
import type { StatisticsPeriod } from '@homeiq/storage';

export const MANIFEST = 'manifest.json';
export const EVENTS_FILE = 'events.jsonl.gz';
export const STATISTICS_FILE = 'statistics.jsonl.gz';
export const NAME_RE = /^homeiq-\d{8}T\d{6}Z(-\d+)?$/;

/** One statistics row in a backup (HA-style names, like the export format). */
export interface StatisticsJsonShape {
  entity_id: string;
  period: StatisticsPeriod;
  start: string;
  unit: string | null;
  mean: number;
  min: number;
  max: number;
  count: number;
  sum?: number | null;
  state?: number | null;
}

export interface BackupFile {
  name: string;
  role: 'events' | 'statistics' | 'database';
  bytes: number;
  sha256: string;
}

/** manifest.json of one backup folder: what is in it, the time range, the counts and every file's checksum. */
export interface BackupManifest {
  format: 'homeiq-backup';
  version: 1;
  name: string;
  created_at: string;
  store_kind: 'sqlite' | 'influxdb';
  /** The exported range: start inclusive, end exclusive (null = unbounded). */
  range: { start: string | null; end: string | null };
  first_event: string | null;
  last_event: string | null;
  events: number;
  statistics: number;
  /** Total bytes of the files. */
  bytes: number;
  /** sha256 over the SHA256SUMS text: one checksum for the whole backup. */
  sha256: string;
  duration_ms: number;
  files: BackupFile[];
}

/** The SHA256SUMS text (`sha256sum -c SHA256SUMS` verifies a backup folder by hand). */
export function sumsText(files: BackupFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
}

export function backupDigest(files: BackupFile[]): string {
  return createHash('sha256').update(sumsText(files)).digest('hex');
}

export function readManifest(dir: string): BackupManifest {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) throw new ValidationError('file', `${dir} is not a HomeIQ backup: no ${MANIFEST}`);
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch (error) {
    throw new ValidationError('file', `${file} is corrupt: ${(error as Error).message}`);
  }
  if (m.format !== 'homeiq-backup' || !Array.isArray(m.files)) {
    throw new ValidationError('file', `${file} is not a HomeIQ backup manifest`);
  }
  if (backupDigest(m.files) !== m.sha256) {
    throw new ValidationError('file', `${file} is corrupt: its checksum does not match its file list`);
  }
  return m;
}

/** Every complete backup in `dir`, newest first (folders still being written or without a manifest are left out). */
export function listBackups(dir: string): BackupManifest[] {
  if (!existsSync(dir)) return [];
  const out: BackupManifest[] = [];
  for (const name of readdirSync(dir)) {
    if (!NAME_RE.test(name)) continue;
    try {
      out.push(readManifest(join(dir, name)));
    } catch {
      // unreadable manifest: not listed (restore of it by path reports why)
    }
  }
  return out.sort((a, b) => b.created_at.localeCompare(a.created_at) || b.name.localeCompare(a.name));
}

/**
 * A backup folder from what a user gave: a listed backup's name, or a path to a backup folder, its manifest, or a
 * file inside it (e.g. events.jsonl.gz).
 */
export function resolveBackup(dir: string, given: string, allowPaths: boolean): string {
  if (NAME_RE.test(given)) {
    const folder = join(dir, given);
    if (!existsSync(join(folder, MANIFEST))) throw new NotFoundError('backup', given);
    return folder;
  }
  if (!allowPaths)
    throw new ValidationError('file', `must be the name of a listed backup (homeiq-YYYYMMDDTHHMMSSZ), got "${given}"`);
  if (!existsSync(given)) throw new NotFoundError('backup', given);
  if (existsSync(join(given, MANIFEST))) return given;
  const parent = join(given, '..');
  if (existsSync(join(parent, MANIFEST))) return parent;
  throw new ValidationError('file', `${given} is not a HomeIQ backup: no ${MANIFEST} beside it`);
}
