import { type HttpApp, ValidationError } from '@homeiq/core';
import { microsFromIso } from '@homeiq/storage';
import { Type } from '@sinclair/typebox';
import type { DataRetention } from '../data-retention';
import type { JobRecord } from '../jobs/runner';

const BackupRequestSchema = Type.Object({
  start: Type.Optional(Type.String({ description: 'ISO 8601; events from this time (default: the oldest)' })),
  end: Type.Optional(Type.String({ description: 'ISO 8601, exclusive (default: just after the newest event)' })),
});
const RestoreRequestSchema = Type.Object({
  file: Type.String({ minLength: 1, description: 'Name of a listed backup, e.g. homeiq-20250110T030000Z' }),
});
const Accepted = Type.Object({ job_id: Type.String(), state: Type.String() });
const Conflict = Type.Object({ error: Type.String(), message: Type.String(), job_id: Type.String() });

function time(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const us = microsFromIso(value);
  if (us === undefined) throw new ValidationError(field, `must be an ISO 8601 time, got "${value}"`);
  return us;
}

/** A POST without a body means "all defaults". */
export async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}

interface Sender {
  code(n: 202 | 409): {
    send(body: { job_id: string; state: string } | { error: string; message: string; job_id: string }): unknown;
  };
}

/** 202 with the new job, or 409 naming the job of that kind already running. */
export async function accepted(reply: Sender, r: { job: JobRecord; started: boolean }): Promise<void> {
  if (r.started) {
    reply.code(202).send({ job_id: r.job.id, state: r.job.state });
    return;
  }
  reply.code(409).send({ error: 'conflict', message: `a ${r.job.kind} job is already running`, job_id: r.job.id });
}

export function registerBackupRoutes(app: HttpApp, service: DataRetention): void {
  app.get(
    '/api/v1/backups',
    { schema: { summary: 'Backups, newest first, with size, time range, counts and checksums' } },
    async () => ({
      dir: service.backupDir,
      keep: service.deps.config.backupKeep,
      backups: service.backups.list(),
      next: service.scheduler.nextRuns().backup ?? null,
    }),
  );

  app.post(
    '/api/v1/backups',
    {
      schema: {
        summary: 'Start a backup; poll GET /api/v1/jobs/{job_id}',
        body: BackupRequestSchema,
        response: { 202: Accepted, 409: Conflict },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const start = time('body.start', request.body?.start);
      const end = time('body.end', request.body?.end);
      if (start !== undefined && end !== undefined && end <= start)
        throw new ValidationError('body.end', 'must be after start');
      return accepted(reply, service.startBackup('api', { start, end }));
    },
  );

  app.post(
    '/api/v1/restore',
    {
      schema: {
        summary: 'Restore a listed backup into the time-series store; poll GET /api/v1/jobs/{job_id}',
        body: RestoreRequestSchema,
        response: { 202: Accepted, 409: Conflict },
      },
    },
    async (request, reply) => accepted(reply, service.startRestore('api', request.body.file)),
  );
}
