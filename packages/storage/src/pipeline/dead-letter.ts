import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createPrivateFile } from '@homeiq/core/private-files';
import { toEventJson } from '../event-json';
import type { StateEvent } from '../types';
import { writeJsonChunks } from './safe-json';

/**
 * The dead letter: one JSON line per event the store refused for good, in the export format (`homeiq export`),
 * with the store's reason and the time it was set aside, so it can be inspected, fixed and re-imported.
 * A record is never dropped for its shape: one JSON.stringify cannot take (nesting thousands deep, a cycle, text
 * larger than a string may be) is written by the iterative, chunked serializer instead. Only an I/O error
 * fails append(), and then the caller keeps the events (see the pipeline).
 */
export class DeadLetter {
  private ready = false;

  constructor(readonly path: string) {}

  /** Appends the refused events; returns how many were written. Throws when the file cannot be written. */
  append(items: Array<{ event: StateEvent; reason: string }>, now: number): number {
    if (items.length === 0) return 0;
    if (!this.ready) {
      mkdirSync(dirname(this.path), { recursive: true });
      createPrivateFile(this.path); // it holds raw states: 0600 before the first line
      this.ready = true;
    }
    const at = new Date(now).toISOString();
    const fd = openSync(this.path, 'a');
    try {
      let text = '';
      for (const { event, reason } of items) {
        const record = { at, reason, event: toEventJson(event) };
        let line: string | undefined;
        try {
          line = JSON.stringify(record);
        } catch {
          line = undefined; // too deep, cyclic or too large: the slow path below
        }
        if (line !== undefined && text.length + line.length < 1 << 24) {
          text += `${line}\n`;
          continue;
        }
        if (text.length > 0) writeSync(fd, text);
        text = '';
        if (line !== undefined) writeSync(fd, `${line}\n`);
        else writeJsonChunks(record, (chunk) => writeSync(fd, chunk));
        if (line === undefined) writeSync(fd, '\n');
      }
      if (text.length > 0) writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return items.length;
  }
}
