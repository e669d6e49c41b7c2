/** A minimal typed listener list: add returns its own remover; a throwing listener never stops the others. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(...args: A): void {
    for (const listener of this.set) {
      try {
        listener(...args);
      } catch {
        // A faulty listener must not break the connection or its peers.
      }
    }
  }

  get size(): number {
    return this.set.size;
  }
}
