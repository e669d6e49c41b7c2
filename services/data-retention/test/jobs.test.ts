// Schedules and the job runner with an injected clock: when schedules fire, one job of a kind at a time,
// backup and restore exclusive, overruns logged and cancellation on stop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { ManualClock } from '../src/clock';
import { JobRunner } from '../src/jobs/runner';
import { aligned, dailyAt, every, Scheduler } from '../src/jobs/scheduler';
import { freshStore, service } from './helpers';

const MIN = 60_000;
const BASE = Date.UTC(2025, 0, 10, 10, 2, 0);

describe('schedules', () => {
  test('next-run rules', () => {
    const fiveMin = aligned(5 * MIN, 15_000);
    assert.equal(fiveMin(BASE), Date.UTC(2025, 0, 10, 10, 5, 15));
    assert.equal(fiveMin(Date.UTC(2025, 0, 10, 10, 5, 15)), Date.UTC(2025, 0, 10, 10, 10, 15));
    assert.equal(fiveMin(Date.UTC(2025, 0, 10, 10, 5, 10)), Date.UTC(2025, 0, 10, 10, 5, 15));
    const local = new Date(BASE);
    local.setHours(3, 30, 0, 0);
    const expected =
      local.getTime() > BASE ? local.getTime() : local.setDate(local.getDate() + 1) && local.setHours(3, 30, 0, 0);
    assert.equal(dailyAt(3 * 60 + 30)(BASE), expected);
    assert.equal(every(6 * 60 * MIN, BASE)(BASE + 7 * 60 * MIN), BASE + 12 * 60 * MIN);
  });

  test('the scheduler fires on time, re-arms, and stop() clears its timers', () => {
    const clock = new ManualClock(BASE);
    const scheduler = new Scheduler(clock, silentLogger());
    const fired: number[] = [];
    scheduler.add('tick', aligned(5 * MIN, 15_000), () => fired.push(clock.now()));
    scheduler.start();
    clock.advance(3 * MIN);
    assert.deepEqual(fired, []);
    clock.advance(60 * MIN);
    assert.equal(fired.length, 12);
    assert.equal(fired[0], Date.UTC(2025, 0, 10, 10, 5, 15));
    scheduler.stop();
    assert.equal(clock.pending, 0);
    clock.advance(60 * MIN);
    assert.equal(fired.length, 12);
  });
});

describe('job runner', () => {
  test('one job of a kind at a time; backup and restore exclude each other; stop cancels', async () => {
    const clock = new ManualClock(BASE);
    const runner = new JobRunner({ logger: silentLogger(), clock, budgets: { backup: 10 * MIN } });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const a = runner.start('backup', 'api', async (ctx) => {
      ctx.progress(0.5, 'half');
      await held;
      return 'done';
    });
    assert.equal(a.started, true);
    assert.equal(a.job.progress, 0.5);
    const b = runner.start('backup', 'schedule', async () => 'x');
    assert.equal(b.started, false);
    assert.equal(b.job.id, a.job.id);
    assert.equal(runner.start('restore', 'api', async () => 'x').started, false);
    const other = runner.start('statistics', 'schedule', async () => 'stats');
    assert.equal(other.started, true);
    release();
    assert.equal((await runner.wait(a.job.id)).result, 'done');
    assert.equal((await runner.wait(other.job.id)).state, 'succeeded');

    // stop(): a running job is cancelled at its next progress report.
    let tick!: () => void;
    const step = () =>
      new Promise<void>((r) => {
        tick = r;
      });
    let next = step();
    const long = runner.start('retention', 'api', async (ctx) => {
      for (;;) {
        await next;
        next = step();
        ctx.progress(0.1);
      }
    });
    const stopping = runner.stop();
    tick();
    await stopping;
    const cancelled = await runner.wait(long.job.id);
    assert.equal(cancelled.state, 'failed');
    assert.match(String(cancelled.error), /cancelled: the service is stopping/);
  });

  test('start() runs the overdue jobs and arms the schedules; stop() disarms them', async () => {
    const h = await freshStore('sqlite');
    try {
      const clock = new ManualClock(BASE);
      const svc = service(h, clock, { BACKUP_SCHEDULE: '03:00', RETENTION_SCHEDULE: 'off' });
      Object.assign(svc.deps, { catchUpOnStart: true });
      svc.start();
      assert.ok(svc.runner.isRunning('statistics'), 'statistics catch-up at start');
      assert.ok(svc.runner.isRunning('retention'), 'retention never ran: it runs at start');
      await svc.runner.idle();
      const next = svc.scheduler.nextRuns();
      assert.equal(next.statistics, new Date(Date.UTC(2025, 0, 10, 10, 5, 15)).toISOString());
      assert.equal(next.retention, undefined, 'RETENTION_SCHEDULE=off');
      assert.ok(next.backup);
      clock.advance(2 * MIN); // the startup backup (no backup yet) comes 2 minutes after start
      assert.ok(svc.runner.isRunning('backup'));
      await svc.runner.idle();
      assert.equal(svc.backups.list().length, 1);
      await svc.stop();
      assert.equal(clock.pending, 0);
    } finally {
      await h.cleanup();
    }
  });
});
