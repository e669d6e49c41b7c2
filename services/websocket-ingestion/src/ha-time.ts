import { microsFromIso } from '@homeiq/storage';

let cachedMinute = '';
let cachedMinuteUs = 0;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1e9;
}

/**
 * Home Assistant's timestamps ("2025-01-10T09:59:00.123456+00:00") -> µs since epoch, fast: the minute prefix is
 * cached, so the hot path only reads 8 digits. Any other ISO 8601 form goes through the general parser.
 * Undefined when the text is not a valid time.
 */
export function haTimeMicros(s: string): number | undefined {
  if (s.length === 32 && s.charCodeAt(19) === 46 && s.charCodeAt(16) === 58 && s.endsWith('+00:00')) {
    const minute = s.slice(0, 16);
    if (minute !== cachedMinute) {
      const base = microsFromIso(`${minute}:00+00:00`);
      if (base === undefined) return undefined;
      cachedMinute = minute;
      cachedMinuteUs = base;
    }
    const sec = digit(s, 17) * 10 + digit(s, 18);
    const us =
      digit(s, 20) * 100_000 +
      digit(s, 21) * 10_000 +
      digit(s, 22) * 1000 +
      digit(s, 23) * 100 +
      digit(s, 24) * 10 +
      digit(s, 25);
    if (sec < 0 || sec > 59 || us < 0) return undefined;
    return cachedMinuteUs + sec * 1_000_000 + us;
  }
  return microsFromIso(s);
}
