// Generic measurements (weather, sports_data) in one table keyed (measurement, time, tag set).
// A point with the same measurement, time and tags merges its fields into the stored one, as InfluxDB does.
import type Database from 'better-sqlite3';
import type { GenericPoint, PointQuery, WriteResult } from '../types';

/** Tags as canonical JSON (sorted keys), so equal tag sets are equal keys. */
export function canonicalTags(tags: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k]!;
  return JSON.stringify(out);
}

function invalidPoint(p: GenericPoint): string | undefined {
  if (typeof p !== 'object' || p === null) return 'point: must be an object';
  if (!Number.isSafeInteger(p.time)) return 'time: must be an integer of µs';
  if (typeof p.tags !== 'object' || p.tags === null) return 'tags: must be an object';
  for (const [k, v] of Object.entries(p.tags)) {
    if (typeof v !== 'string') return `tags.${k}: must be a string`;
  }
  if (typeof p.fields !== 'object' || p.fields === null) return 'fields: must be an object';
  const entries = Object.entries(p.fields);
  if (entries.length === 0) return 'fields: at least one field is required';
  for (const [k, v] of entries) {
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string' && typeof v !== 'boolean') {
      return `fields.${k}: must be a finite number, a string or a boolean`;
    }
  }
  return undefined;
}

export class Points {
  constructor(private readonly db: Database.Database) {}

  write(measurement: string, points: GenericPoint[]): WriteResult {
    if (typeof measurement !== 'string' || measurement.length === 0) {
      return {
        written: 0,
        duplicates: 0,
        rejected: points.map((_, index) => ({ index, reason: 'measurement: must be a non-empty string' })),
      };
    }
    const put = this.db.prepare(
      `INSERT INTO points (measurement, t, tags, fields) VALUES (?, ?, ?, ?)
       ON CONFLICT (measurement, t, tags) DO UPDATE SET fields = json_patch(fields, excluded.fields)`,
    );
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    this.db
      .transaction(() => {
        points.forEach((p, index) => {
          const reason = invalidPoint(p);
          if (reason) {
            result.rejected.push({ index, reason });
            return;
          }
          put.run(measurement, p.time, canonicalTags(p.tags), JSON.stringify(p.fields));
          result.written++;
        });
      })
      .immediate();
    return result;
  }

  query(q: PointQuery): GenericPoint[] {
    const where = ['measurement = ?'];
    const args: unknown[] = [q.measurement];
    if (q.start !== undefined) {
      where.push('t >= ?');
      args.push(q.start);
    }
    if (q.end !== undefined) {
      where.push('t < ?');
      args.push(q.end);
    }
    for (const [k, v] of Object.entries(q.tags ?? {})) {
      where.push('EXISTS (SELECT 1 FROM json_each(points.tags) WHERE key = ? AND value = ?)');
      args.push(k, v);
    }
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const sql = `SELECT t, tags, fields FROM points WHERE ${where.join(' AND ')} ORDER BY t ${dir}, tags ${dir} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit ?? -1) as Array<{ t: number; tags: string; fields: string }>;
    return rows.map((r) => ({
      time: r.t,
      tags: JSON.parse(r.tags) as Record<string, string>,
      fields: JSON.parse(r.fields) as GenericPoint['fields'],
    }));
  }
}
