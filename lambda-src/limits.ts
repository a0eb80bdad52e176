/** Sizes the transform's output obeys, shared with what reads it (the Splunk add-on's TRUNCATE). */

/**
 * The longest line the transform writes, in bytes: a longer one could not fit even an otherwise
 * empty response of `budget` bytes (base64 takes 4/3, the envelope up to 16 KiB). A parsed line
 * over it is delivered unparsed; a raw text over it goes to the error output.
 */
export function maxLineBytes(budget: number): number {
  return Math.floor(((budget - 16_384) * 3) / 4);
}
