/**
 * Tracks which resources have an operation running, so a duplicate request for the same resource
 * (a CO retry racing the original) is refused instead of running twice.
 */
export class InFlight {
  private readonly keys = new Set<string>();

  /** Returns a release function, or undefined when the key is already held. */
  tryAcquire(key: string): (() => void) | undefined {
    if (this.keys.has(key)) return undefined;
    this.keys.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.keys.delete(key);
    };
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
