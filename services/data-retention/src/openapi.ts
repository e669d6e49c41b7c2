import type { OpenApiOptions } from '@homeiq/core';

export const RETENTION_OPENAPI: OpenApiOptions = {
  description:
    'Statistics (5-minute and hourly), retention tiers, backups and restore of HomeIQ. Long work runs as a job: ' +
    'a POST answers 202 with a job id to poll. Every path but /health, /openapi.json and /docs needs ' +
    '`Authorization: Bearer <API_KEY>`.',
  tags: {
    policies: 'Retention tiers: how long raw events and statistics are kept',
    backups: 'Backups of the SQLite databases and the time series, and restore',
    jobs: 'Background jobs: their state, progress and result',
    statistics: 'Compiling statistics on demand',
    retention: 'Running the retention job on demand',
  },
};
