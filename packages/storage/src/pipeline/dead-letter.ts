import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createPrivateFile } from '@homeiq/core/private-files';
import { toEventJson } from '../event-json';
import type { StateEvent } from '../types';

/**
 * The dead letter: one JSON line per event the store refused for good, in the export format (`homeiq export`),
 * with the store's reason and the time it was set aside, so it can be inspected, fixed and re-imported.
 */
export class DeadLetter {
  private ready = false;

  constructor(readonly path: string) {}

  /** Appends the refused events; returns how many were written (0 when the file cannot be written). */
  append(items: Array<{ event: StateEvent; reason: string }>, now: number): number {
    if (items.length === 0) return 0;
    if (!this.ready) {
      mkdirSync(dirname(this.path), { recursive: true });
      createPrivateFile(this.path); // it holds raw states: 0600 before the first line
      this.ready = true;
    }
    const at = new Date(now).toISOString();
    let text = '';
    for (const { event, reason } of items) text += `${JSON.stringify({ at, reason, event: toEventJson(event) })}\n`;
    appendFileSync(this.path, text);
    return items.length;
  }
}
