// Rounding up to an alignment, used by the header, struct layout and arenas.

/** The smallest multiple of `to` that is >= n. */
export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
