/** Sizes the transform's output obeys, shared with what reads it (the Splunk add-on's TRUNCATE). */

/**
 * What a response always spends besides the line itself: its envelope (16 KiB), and the result
 * entries of the other records of the batch (~100 bytes each: 256 KiB, at the default budget,
 * covers 2,600 records; a twentieth of smaller budgets). A line that fits an empty response but
 * not beside a full batch's entries would be re-ingested until its hops run out: the limit leaves
 * room for both.
 */
export function responseFramingBytes(budget: number): number {
  return 16_384 + Math.min(262_144, Math.floor(budget / 20));
}

/**
 * The longest line the transform writes, in bytes: a longer one could not be sure to fit a
 * response of `budget` bytes (base64 takes 4/3, plus the framing above). A parsed line over it is
 * delivered unparsed; a raw text over it goes to the error output, at once.
 */
export function maxLineBytes(budget: number): number {
  return Math.floor(((budget - responseFramingBytes(budget)) * 3) / 4);
}
