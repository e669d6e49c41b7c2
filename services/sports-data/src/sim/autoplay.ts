import type { SimGame } from './scoreboard-sim';

/** A followed team whose games the demo simulator plays on a loop. */
export interface AutoplayTeam {
  /** ESPN path, e.g. football/nfl. */
  league: string;
  abbreviation: string;
  displayName?: string;
  opponents: string[];
  /** Length of each phase, ms. Defaults: 2 min scheduled, 12 min live (4 periods), 6 min final. */
  preMs?: number;
  liveMs?: number;
  postMs?: number;
  periods?: number;
  /** Points per score, e.g. [3, 7] for football, [2, 3] for basketball. */
  points?: number[];
}

/** Deterministic pseudo-random numbers from a seed (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mmss(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The games being played at `now`: each team plays an endless series of short games (scheduled, live,
 * final), computed from the time alone so that every request sees a consistent game.
 */
export function autoplayGames(teams: AutoplayTeam[], now: number): SimGame[] {
  return teams.map((t, index) => {
    const pre = t.preMs ?? 120_000;
    const live = t.liveMs ?? 720_000;
    const post = t.postMs ?? 360_000;
    const periods = t.periods ?? 4;
    const cycle = pre + live + post;
    const k = Math.floor(now / cycle);
    const offset = now - k * cycle;
    const start = k * cycle + pre;
    const random = rng(k * 7919 + index * 104_729);
    const opponent = t.opponents[Math.floor(random() * t.opponents.length)] ?? 'OPP';
    const weHome = random() < 0.5;
    const points = t.points ?? [3, 7];
    const scores = [0, 0];
    const events = 4 + Math.floor(random() * 8);
    const elapsed = Math.min(live, Math.max(0, offset - pre));
    for (let i = 0; i < events; i++) {
      const at = random() * live;
      const side = random() < 0.5 ? 0 : 1;
      const value = points[Math.floor(random() * points.length)] ?? 1;
      if (at <= elapsed) scores[side] = (scores[side] ?? 0) + value;
    }
    const state: SimGame['state'] = offset < pre ? 'pre' : offset < pre + live ? 'in' : 'post';
    const periodMs = live / periods;
    const period =
      state === 'pre' ? 0 : state === 'post' ? periods : Math.min(periods, Math.floor(elapsed / periodMs) + 1);
    const us = { abbreviation: t.abbreviation, displayName: t.displayName, score: scores[0] };
    const them = { abbreviation: opponent, score: scores[1] };
    return {
      id: `sim-${t.abbreviation}-${k}`,
      league: t.league,
      date: new Date(start).toISOString(),
      home: weHome ? us : them,
      away: weHome ? them : us,
      state,
      period,
      displayClock: state === 'in' ? mmss(periodMs - (elapsed - (period - 1) * periodMs)) : '0:00',
    };
  });
}
