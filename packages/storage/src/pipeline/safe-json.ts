/**
 * JSON for values JSON.stringify cannot take: nesting deep enough to overflow its recursion, cycles, BigInt, and
 * results longer than the largest string V8 can build. Iterative, and it hands out the text in chunks, so any value
 * that fits in memory can be written. Only the slow path: callers try JSON.stringify first.
 * Where JSON has no answer it says so in the text: a cycle becomes "[Circular]", a BigInt its decimal string.
 */

type Frame =
  | { kind: 'array'; items: unknown[]; i: number }
  | { kind: 'object'; entries: [string, unknown][]; i: number };

const CHUNK_CHARS = 1 << 20;

/** Serializes `value`, calling `write` with chunks of about CHUNK_CHARS characters. */
export function writeJsonChunks(value: unknown, write: (chunk: string) => void): void {
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= CHUNK_CHARS) {
      write(buffer);
      buffer = '';
    }
  };
  const stack: Frame[] = [];
  const open = new Set<object>();
  const openObjects: object[] = [];
  // Writes a scalar, or opens a container (pushed on the stack); returns nothing.
  const visit = (v: unknown) => {
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    if (typeof v === 'bigint') return emit(JSON.stringify(v.toString()));
    if (typeof v === 'string') return emitString(v, emit);
    if (typeof v === 'number') return emit(Number.isFinite(v) ? String(v) : 'null');
    if (typeof v === 'boolean') return emit(v ? 'true' : 'false');
    if (typeof v !== 'object' || v === null) return emit('null');
    if (open.has(v)) return emit('"[Circular]"');
    open.add(v);
    openObjects.push(v);
    if (Array.isArray(v)) {
      emit('[');
      stack.push({ kind: 'array', items: v, i: 0 });
    } else {
      emit('{');
      const entries = Object.entries(v).filter(([, c]) => c !== undefined && typeof c !== 'function');
      stack.push({ kind: 'object', entries, i: 0 });
    }
  };
  visit(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.kind === 'array' ? top.i >= top.items.length : top.i >= top.entries.length) {
      stack.pop();
      open.delete(openObjects.pop()!);
      emit(top.kind === 'array' ? ']' : '}');
      continue;
    }
    if (top.i > 0) emit(',');
    if (top.kind === 'array') {
      const c = top.items[top.i++];
      visit(c === undefined || typeof c === 'function' ? null : c);
    } else {
      const [key, c] = top.entries[top.i++]!;
      emitString(key, emit);
      emit(':');
      visit(c);
    }
  }
  if (buffer.length > 0) write(buffer);
}

/** A string literal, in slices when it is too long to be quoted in one piece. */
function emitString(s: string, emit: (text: string) => void): void {
  if (s.length < CHUNK_CHARS) {
    emit(JSON.stringify(s));
    return;
  }
  emit('"');
  for (let i = 0; i < s.length; i += CHUNK_CHARS) {
    let end = Math.min(s.length, i + CHUNK_CHARS);
    // Never split a surrogate pair: each half alone would be escaped as a lone surrogate.
    const last = s.charCodeAt(end - 1);
    if (end < s.length && last >= 0xd800 && last <= 0xdbff) end--;
    emit(JSON.stringify(s.slice(i, end)).slice(1, -1));
    i = end - CHUNK_CHARS;
  }
  emit('"');
}
