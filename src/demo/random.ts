/**
 * Seeded pseudo-randomness for the demo city: the same seed places the same things at the same spots and gives the
 * same readings at the same instant, on every run and machine, so that tests can check values and a restart does
 * not move the city.
 */

/** mulberry32: a small, fast 32-bit generator, good enough for placing sensors (not for anything secret). */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A value in [0, 1) that depends only on its keys (FNV-1a, then a mixing step): the readings are functions of
 * (seed, sensor, time slot) rather than of a generator's state, so any instant can be computed on its own.
 */
export function hash01(...keys: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of keys.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
