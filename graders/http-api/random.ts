/**
 * Seeded randomness for probe data. Every check draws from its own stream, derived from the run's
 * seed and the check's id, so a check asks the same questions on a replay whatever the checks
 * before it did (one of them stopping early must not shift the data of the next).
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The stream of one check: the run's seed mixed with a label (FNV-1a of the label). */
  static derive(seed: number, label: string): Random {
    let hash = 0x811c9dc5;
    for (let index = 0; index < label.length; index++) {
      hash ^= label.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    return new Random((seed ^ hash) >>> 0);
  }

  /** A float in [0, 1) (mulberry32: small, fast and good enough for test data). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick needs at least one item');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A string of `count` decimal digits (leading zeros allowed). */
  digits(count: number): string {
    let text = '';
    for (let index = 0; index < count; index++) text += String(this.int(0, 9));
    return text;
  }

  /** A short lowercase word of letters, for paths and names nobody could guess. */
  word(length = 8): string {
    const letters = 'abcdefghijkmnopqrstuvwxyz';
    let text = '';
    for (let index = 0; index < length; index++) text += letters[this.int(0, letters.length - 1)];
    return text;
  }
}
