import type { Random } from './random';

const CROCKFORD = Array.from('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (c) => c.charCodeAt(0));

/**
 * ULIDs (HA context ids): 10 chars of ms time + 16 chars of randomness, Crockford base32. Built from char codes so the
 * string is flat (they are kept by the million).
 */
export class UlidFactory {
  private lastMs = -1;
  private readonly codes: number[] = new Array<number>(26).fill(48);

  constructor(private readonly random: Random) {}

  next(ms: number): string {
    const codes = this.codes;
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      let t = ms;
      for (let i = 9; i >= 0; i--) {
        codes[i] = CROCKFORD[t % 32] as number;
        t = Math.floor(t / 32);
      }
    }
    for (let i = 10; i < 26; ) {
      let x = this.random.uint32();
      const end = i === 20 ? 26 : i + 5;
      for (; i < end; i++) {
        codes[i] = CROCKFORD[x & 31] as number;
        x >>>= 5;
      }
    }
    return String.fromCharCode.apply(null, codes);
  }
}
