import { crc32 } from 'node:zlib';

/**
 * One spool record: a 20-byte header, then the payload.
 *   u32 payload length | u32 event count | f64 accepted-at (ms) | u32 CRC-32 of the first 16 header bytes + payload
 * Little endian. The checksum tells a torn or corrupted tail from a record.
 */
export const HEADER_BYTES = 20;
/** A record larger than this is treated as corruption when read back (a length field gone wrong). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function recordChecksum(header: Buffer, payload: Uint8Array): number {
  return crc32(payload, crc32(header.subarray(0, 16)));
}

/** Fills `header` (HEADER_BYTES, reused by the caller) for `payload`. */
export function writeHeader(header: Buffer, payload: Uint8Array, count: number, at: number): void {
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(count, 4);
  header.writeDoubleLE(at, 8);
  header.writeUInt32LE(recordChecksum(header, payload), 16);
}

export interface RecordHeader {
  length: number;
  count: number;
  at: number;
  crc: number;
}

export function readHeader(buf: Buffer, offset: number): RecordHeader {
  return {
    length: buf.readUInt32LE(offset),
    count: buf.readUInt32LE(offset + 4),
    at: buf.readDoubleLE(offset + 8),
    crc: buf.readUInt32LE(offset + 16),
  };
}

/** Whether the record at `offset` of `buf` (header and payload both inside buf) is intact. */
export function recordIntact(buf: Buffer, offset: number, h: RecordHeader): boolean {
  const header = buf.subarray(offset, offset + HEADER_BYTES);
  const payload = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + h.length);
  return recordChecksum(header, payload) === h.crc;
}

/** Positions in the spool: segment number and byte offset in one exact double. */
const SEG = 2 ** 32;
export const pos = (seg: number, off: number): number => seg * SEG + off;
export const segOf = (p: number): number => Math.floor(p / SEG);
export const offOf = (p: number): number => p % SEG;
