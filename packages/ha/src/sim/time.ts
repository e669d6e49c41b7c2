/** ms (+ optional µs within that ms) since epoch -> ISO 8601 with microseconds and +00:00, as Home Assistant writes it. */
export function isoMicros(ms: number, micros = 0): string {
  const whole = Math.floor(ms);
  const us = Math.round((ms - whole) * 1000) + micros;
  return isoFromMicros(whole * 1000 + us);
}

let cachedSecond = Number.NaN;
// The characters of the last string built: "YYYY-MM-DDTHH:MM:SS." + 6 digits + "+00:00".
const isoCodes: number[] = Array.from('0000-00-00T00:00:00.000000+00:00', (c) => c.charCodeAt(0));

/**
 * µs since epoch -> ISO 8601 with microseconds and +00:00. Cheap on the hot path (caches the per-second part) and
 * returns a flat string: millions of these are kept, and a concatenated (cons) string would cost several times the memory.
 */
export function isoFromMicros(us: number): string {
  const second = Math.floor(us / 1_000_000);
  // Python's isoformat leaves out a zero fraction: one stamp in a million has no microseconds at all.
  if (us === second * 1_000_000) return `${new Date(second * 1000).toISOString().slice(0, 19)}+00:00`;
  if (second !== cachedSecond) {
    cachedSecond = second;
    const prefix = new Date(second * 1000).toISOString(); // 2025-01-10T09:59:00.000Z
    for (let i = 0; i < 20; i++) isoCodes[i] = prefix.charCodeAt(i);
  }
  let frac = us - second * 1_000_000;
  for (let i = 25; i >= 20; i--) {
    isoCodes[i] = 48 + (frac % 10);
    frac = Math.floor(frac / 10);
  }
  return String.fromCharCode.apply(null, isoCodes);
}

/** µs since epoch -> epoch seconds as a float (a whole-µs instant, e.g. a query bound, as Python's timestamp()). */
export function epochSeconds(us: number): number {
  return us / 1_000_000;
}

/**
 * A `time.time()` double -> the µs its ISO text shows (CPython's datetime.fromtimestamp: the fraction times 1e6 in
 * doubles, rounded half to even). The simulated HA is Python here: this is the server's rule, not the client's.
 */
export function pythonMicros(seconds: number): number {
  const whole = Math.floor(seconds);
  const scaled = (seconds - whole) * 1e6;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const us = diff > 0.5 || (diff === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return whole * 1_000_000 + us;
}

/** ISO 8601 (any offset, up to µs) -> µs since epoch; undefined when unparseable (HA: dt_util.parse_datetime). */
export function parseIsoMicros(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
      text,
    );
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  if (new Date(ms).getUTCDate() !== Number(d)) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return (ms - offsetMin * 60_000) * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/**
 * The simulated clock: follows real time from `startMs` and never hands out the same instant twice, so every event
 * has its own time_fired and last_updated is strictly increasing per entity even at 100k events/s.
 */
export class SimClock {
  private readonly baseUs: number;
  private readonly t0 = performance.now();
  private last = 0;

  constructor(startMs: number) {
    this.baseUs = Math.floor(startMs) * 1000;
  }

  /** Now in whole µs (the instant of events that carry no float stamp, e.g. last_reported). */
  nowMicros(): number {
    const real = this.baseUs + Math.floor((performance.now() - this.t0) * 1000);
    this.last = real > this.last ? real : this.last + 1;
    return this.last;
  }

  /**
   * Now as HA's `time.time()`: a double of seconds with sub-µs bits. Its µs (Python's rounding) is strictly
   * greater than any instant handed out before.
   */
  nowSeconds(): number {
    const realUs = this.baseUs + (performance.now() - this.t0) * 1000;
    let t = realUs / 1e6;
    let us = pythonMicros(t);
    if (us <= this.last) {
      // Faster than the clock ticks: the next µs, keeping a sub-µs offset so the rounding is still exercised.
      us = this.last + 1;
      const offset = (realUs - Math.floor(realUs)) * 0.8 - 0.4;
      t = (us + offset) / 1e6;
      if (pythonMicros(t) !== us) t = us / 1e6;
    }
    this.last = us;
    return t;
  }

  /** The current instant without consuming it (for "now" comparisons). */
  peekMicros(): number {
    const real = this.baseUs + Math.floor((performance.now() - this.t0) * 1000);
    return Math.max(real, this.last);
  }
}
