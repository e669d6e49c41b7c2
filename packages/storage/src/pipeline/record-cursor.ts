import { readSync } from 'node:fs';
import { HEADER_BYTES, MAX_RECORD_BYTES, type RecordHeader, readHeader, recordIntact } from './record-format';

export type CursorStep =
  | { kind: 'record'; header: RecordHeader; payload: Buffer; start: number; end: number }
  /** Exactly at the limit: nothing more (yet). */
  | { kind: 'end' }
  /** A record that does not fit before the limit (a write cut short) or fails its checksum. */
  | { kind: 'bad'; reason: string };

/**
 * Reads records one after another from a segment file through one reusable buffer (sequential reads of
 * 1 MB, grown for larger records). A returned payload is a view into that buffer: valid until the next call.
 */
export class RecordCursor {
  private buf = Buffer.allocUnsafe(1024 * 1024);
  private bufStart = 0;
  private bufLen = 0;

  constructor(
    readonly fd: number,
    public offset: number,
  ) {}

  private ensure(offset: number, n: number, limit: number): void {
    if (offset >= this.bufStart && offset + n <= this.bufStart + this.bufLen) return;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    const want = Math.min(this.buf.length, limit - offset);
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd, this.buf, got, want - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    this.bufStart = offset;
    this.bufLen = got;
  }

  /** The record at `offset`, reading no further than `limit` (the segment's known size). */
  next(limit: number): CursorStep {
    const start = this.offset;
    if (start >= limit) return { kind: 'end' };
    if (start + HEADER_BYTES > limit) return { kind: 'bad', reason: 'partial header' };
    this.ensure(start, HEADER_BYTES, limit);
    if (this.bufLen - (start - this.bufStart) < HEADER_BYTES) return { kind: 'bad', reason: 'short read' };
    const header = readHeader(this.buf, start - this.bufStart);
    if (header.length > MAX_RECORD_BYTES) return { kind: 'bad', reason: `implausible length ${header.length}` };
    const end = start + HEADER_BYTES + header.length;
    if (end > limit) return { kind: 'bad', reason: 'partial record' };
    this.ensure(start, HEADER_BYTES + header.length, limit);
    const at = start - this.bufStart;
    if (this.bufLen - at < HEADER_BYTES + header.length) return { kind: 'bad', reason: 'short read' };
    if (!recordIntact(this.buf, at, header)) return { kind: 'bad', reason: 'checksum mismatch' };
    this.offset = end;
    return {
      kind: 'record',
      header,
      payload: this.buf.subarray(at + HEADER_BYTES, at + HEADER_BYTES + header.length),
      start,
      end,
    };
  }
}
