import type { Random } from './random';

const CROCKFORD = Array.from('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (c) => c.charCodeAt(0));

/**
 * ULIDs (HA context ids): 10 chars of ms time + 16 chars (80 bits) of randomness, Crockford base32. The random part is
 * drawn as three uint32 (kept compactly by the event log) and formatted from char codes, so the string is flat.
 */
export class UlidFactory {
  private lastMs = -1;
  private readonly codes: number[] = new Array<number>(26).fill(48);
  /** The random words of the last next(). */
  r0 = 0;
  r1 = 0;
  r2 = 0;

  constructor(private readonly random: Random) {}

  next(ms: number): string {
    this.r0 = this.random.uint32();
    this.r1 = this.random.uint32();
    this.r2 = this.random.uint32();
    return this.format(ms, this.r0, this.r1, this.r2);
  }

  format(ms: number, r0: number, r1: number, r2: number): string {
    const codes = this.codes;
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      let t = ms;
      for (let i = 9; i >= 0; i--) {
        codes[i] = CROCKFORD[t % 32] as number;
        t = Math.floor(t / 32);
      }
    }
    for (let i = 0; i < 5; i++) codes[10 + i] = CROCKFORD[(r0 >>> (5 * i)) & 31] as number;
    for (let i = 0; i < 5; i++) codes[15 + i] = CROCKFORD[(r1 >>> (5 * i)) & 31] as number;
    for (let i = 0; i < 6; i++) codes[20 + i] = CROCKFORD[(r2 >>> (5 * i)) & 31] as number;
    return String.fromCharCode.apply(null, codes);
  }
}
