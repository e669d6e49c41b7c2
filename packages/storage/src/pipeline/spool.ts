import {
  close,
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readSync,
  rm,
  rmSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '@homeiq/core';
import { makePrivateDir, PRIVATE_FILE_MODE } from '@homeiq/core/private-files';
import { RecordCursor } from './record-cursor';
import { HEADER_BYTES, offOf, pos, segOf, writeHeader } from './record-format';

export interface SpoolRecord {
  /** View into a reused buffer: decode it before the next read. */
  payload: Buffer;
  count: number;
  at: number;
  start: number;
  end: number;
}

export interface Recovery {
  /** Records (and their events) left from before a restart, not yet committed. */
  records: number;
  events: number;
  bytes: number;
  /** Where replay starts. */
  from: number;
  /** Bytes of a torn tail cut off, and segments whose unreadable rest was skipped. */
  truncatedBytes: number;
  corruptSegments: number;
}

const SEGMENT_RE = /^(\d{12})\.seg$/;
const segmentName = (seg: number) => `${String(seg).padStart(12, '0')}.seg`;

/**
 * The durable spool: an append-only log of checksummed records in numbered segment files, plus a checkpoint
 * (segment, offset, CRC) of the end of the committed prefix. Appends are synchronous writes into the page cache
 * (a killed process loses nothing it wrote; no fsync per record); segments entirely before the checkpoint are
 * deleted. On open, a torn tail is detected by length and checksum and cut off.
 */
export class Spool {
  private readonly segments: number[] = [];
  /** Logical byte position at each segment's start, and each segment's size (for accounting and reading). */
  private readonly segBase = new Map<number, number>();
  private readonly segSize = new Map<number, number>();
  private fd = -1;
  private cpFd = -1;
  private writeSeg = 0;
  private writeOff = 0;
  private writeLsn = 0;
  private commitAt = 0;
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private readonly cpBuf = Buffer.alloc(12);
  private readonly iov: Uint8Array[] = [this.header, this.header];

  constructor(
    readonly dir: string,
    readonly segmentBytes: number,
    private readonly logger: Logger,
  ) {}

  get writePos(): number {
    return pos(this.writeSeg, this.writeOff);
  }

  get commitPos(): number {
    return this.commitAt;
  }

  /** Bytes appended and not yet committed: what the quota is about. */
  get uncommittedBytes(): number {
    const seg = segOf(this.commitAt);
    const base = this.segBase.get(seg);
    return base === undefined ? 0 : this.writeLsn - (base + offOf(this.commitAt));
  }

  sizeOf(seg: number): number {
    return seg === this.writeSeg ? this.writeOff : (this.segSize.get(seg) ?? 0);
  }

  isWriteSegment(seg: number): boolean {
    return seg === this.writeSeg;
  }

  nextSegment(seg: number): number | undefined {
    for (const s of this.segments) if (s > seg) return s;
    return undefined;
  }

  /** Opens (creating) the folder, validates what is left and starts a fresh segment for new records. */
  open(): Recovery {
    makePrivateDir(this.dir);
    for (const name of readdirSync(this.dir)) {
      const m = SEGMENT_RE.exec(name);
      if (m) this.segments.push(Number(m[1]));
    }
    this.segments.sort((a, b) => a - b);
    const checkpoint = join(this.dir, 'checkpoint');
    closeSync(openSync(checkpoint, 'a', PRIVATE_FILE_MODE)); // create when missing; positional writes need a non-append fd
    this.cpFd = openSync(checkpoint, 'r+');
    let from = this.readCheckpoint() ?? pos(this.segments[0] ?? 1, 0);
    for (const seg of [...this.segments]) {
      if (seg < segOf(from)) this.removeSegment(seg);
    }
    if (this.segments.length > 0 && segOf(from) < this.segments[0]!) from = pos(this.segments[0]!, 0);
    const recovery: Recovery = { records: 0, events: 0, bytes: 0, from, truncatedBytes: 0, corruptSegments: 0 };
    const last = this.segments[this.segments.length - 1];
    for (const seg of this.segments) {
      const fd = openSync(join(this.dir, segmentName(seg)), 'r+');
      try {
        const size = fstatSync(fd).size;
        const startOff = seg === segOf(from) ? Math.min(offOf(from), size) : 0;
        if (seg === segOf(from) && offOf(from) > size) from = recovery.from = pos(seg, size);
        const cursor = new RecordCursor(fd, startOff);
        let valid = startOff;
        for (;;) {
          const step = cursor.next(size);
          if (step.kind === 'record') {
            recovery.records++;
            recovery.events += step.header.count;
            recovery.bytes += step.end - step.start;
            valid = step.end;
            continue;
          }
          if (step.kind === 'bad') {
            if (seg === last) {
              ftruncateSync(fd, valid);
              recovery.truncatedBytes += size - valid;
              this.logger.warn(
                { segment: seg, at: valid, cut: size - valid, reason: step.reason },
                'spool: torn tail cut off',
              );
            } else {
              recovery.corruptSegments++;
              this.logger.error({ segment: seg, at: valid, reason: step.reason }, 'spool: unreadable records skipped');
            }
          }
          break;
        }
        this.segSize.set(seg, seg === last ? valid : size);
      } finally {
        closeSync(fd);
      }
    }
    // Logical positions: the committed point of the first segment is 0.
    let lsn = -offOf(from);
    for (const seg of this.segments) {
      this.segBase.set(seg, lsn);
      lsn += this.segSize.get(seg) ?? 0;
    }
    this.writeLsn = lsn;
    this.commitAt = from;
    if (recovery.records === 0) {
      // Nothing left to replay: the old segments are fully committed.
      for (const seg of [...this.segments]) this.removeSegment(seg);
      this.writeLsn = 0;
    }
    this.startSegment((last ?? 0) + 1);
    if (recovery.records === 0) this.commitAt = pos(this.writeSeg, 0);
    return recovery;
  }

  private readCheckpoint(): number | undefined {
    const n = readSync(this.cpFd, this.cpBuf, 0, 12, 0);
    if (n < 12) return undefined;
    const seg = this.cpBuf.readUInt32LE(0);
    const off = this.cpBuf.readUInt32LE(4);
    if (crc32(this.cpBuf.subarray(0, 8)) !== this.cpBuf.readUInt32LE(8)) {
      this.logger.warn('spool: checkpoint unreadable; replaying every segment (writes are idempotent)');
      return undefined;
    }
    return pos(seg, off);
  }

  private startSegment(seg: number): void {
    if (this.fd !== -1) {
      // Flushed to disk in the background (a bound on what a power loss can take); never blocks an append.
      const fd = this.fd;
      fdatasync(fd, () => close(fd, () => undefined));
      this.segSize.set(this.writeSeg, this.writeOff);
    }
    this.fd = openSync(join(this.dir, segmentName(seg)), 'w', PRIVATE_FILE_MODE);
    this.segments.push(seg);
    this.segBase.set(seg, this.writeLsn);
    this.segSize.set(seg, 0);
    this.writeSeg = seg;
    this.writeOff = 0;
  }

  private removeSegment(seg: number, background = false): void {
    const path = join(this.dir, segmentName(seg));
    // Freeing a large file takes a while: off the event loop, except while opening.
    if (background) rm(path, { force: true }, () => undefined);
    else rmSync(path, { force: true });
    const i = this.segments.indexOf(seg);
    if (i !== -1) this.segments.splice(i, 1);
    this.segBase.delete(seg);
    this.segSize.delete(seg);
  }

  /** Appends one record synchronously; returns its start position. */
  append(payload: Uint8Array, count: number, at: number): number {
    const length = HEADER_BYTES + payload.length;
    if (this.writeOff > 0 && this.writeOff + length > this.segmentBytes) this.startSegment(this.writeSeg + 1);
    const start = pos(this.writeSeg, this.writeOff);
    writeHeader(this.header, payload, count, at);
    this.iov[1] = payload;
    let written = writevSync(this.fd, this.iov);
    if (written < length) {
      // A short write (rare: a signal, a full disk): finish it; a failure throws and the tail is cut on reopen.
      const whole = Buffer.concat([this.header, payload]);
      while (written < length) written += writeSync(this.fd, whole, written, length - written);
    }
    this.writeOff += length;
    this.writeLsn += length;
    this.segSize.set(this.writeSeg, this.writeOff);
    return start;
  }

  /** Everything before `p` is stored: checkpoint it and delete the segments before it. */
  commit(p: number): void {
    if (p <= this.commitAt) return;
    this.commitAt = p;
    const seg = segOf(p);
    this.cpBuf.writeUInt32LE(seg, 0);
    this.cpBuf.writeUInt32LE(offOf(p), 4);
    this.cpBuf.writeUInt32LE(crc32(this.cpBuf.subarray(0, 8)), 8);
    writeSync(this.cpFd, this.cpBuf, 0, 12, 0);
    while (this.segments.length > 0 && this.segments[0]! < seg) this.removeSegment(this.segments[0]!, true);
  }

  reader(from: number): SpoolReader {
    return new SpoolReader(this, from, this.logger);
  }

  segmentPath(seg: number): string {
    return join(this.dir, segmentName(seg));
  }

  close(): void {
    if (this.fd !== -1) closeSync(this.fd);
    if (this.cpFd !== -1) closeSync(this.cpFd);
    this.fd = -1;
    this.cpFd = -1;
  }
}

/** Reads records in order from a position up to the current end of the spool. */
export class SpoolReader {
  private seg: number;
  private cursor: RecordCursor | undefined;

  constructor(
    private readonly spool: Spool,
    from: number,
    private readonly logger: Logger,
  ) {
    this.seg = segOf(from);
    this.cursor = this.openCursor(this.seg, offOf(from));
  }

  private openCursor(seg: number, off: number): RecordCursor | undefined {
    try {
      return new RecordCursor(openSync(this.spool.segmentPath(seg), 'r'), off);
    } catch (error) {
      this.logger.error({ segment: seg, err: String(error) }, 'spool: segment missing');
      return undefined;
    }
  }

  /** The next record, or undefined at the end of what was written so far. */
  next(): SpoolRecord | undefined {
    for (;;) {
      const limit = this.spool.sizeOf(this.seg);
      const step = this.cursor ? this.cursor.next(limit) : ({ kind: 'end' } as const);
      if (step.kind === 'record') {
        return {
          payload: step.payload,
          count: step.header.count,
          at: step.header.at,
          start: pos(this.seg, step.start),
          end: pos(this.seg, step.end),
        };
      }
      if (step.kind === 'bad') {
        this.logger.error({ segment: this.seg, reason: step.reason }, 'spool: unreadable record; skipping the segment');
      } else if (this.spool.isWriteSegment(this.seg)) return undefined;
      const next = this.spool.nextSegment(this.seg);
      if (next === undefined) return undefined;
      this.close();
      this.seg = next;
      this.cursor = this.openCursor(next, 0);
    }
  }

  close(): void {
    if (this.cursor) closeSync(this.cursor.fd);
    this.cursor = undefined;
  }
}
