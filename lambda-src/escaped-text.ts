/**
 * A message's JSON-escaped bytes as they arrived, reused for the `message` member of a line that
 * carries the raw text (parse errors, lines over the limit): copied, not escaped again, when they are
 * exactly what JSON.stringify would write. A 256 KiB audit event cut by CloudWatch Logs otherwise
 * costs a JSON.stringify and two large string copies for one line.
 */
import { isUtf8 } from "node:buffer";

/** Each event's escaped message text in `bytes`: event i at `[ranges[2i], ranges[2i+1])`. */
export interface EscapedMessages {
  readonly bytes: Buffer;
  readonly ranges: readonly number[];
}

/** A line written in three parts, the middle one copied from the payload's bytes. */
export interface LineParts {
  readonly head: string;
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
  readonly tail: string;
}

const BACKSLASH = 0x5c;

/**
 * Whether `bytes[start, end)` is JSON.stringify's escaping of the text it decodes to: valid UTF-8,
 * and only the escapes JSON.stringify writes (`\"`, `\\`, `\b \f \n \r \t`, `\u00xx` in lowercase
 * for the other control characters). Any other (`\/`, `\u0041`, `\u00E9`, surrogate pairs) → false.
 */
export function isStringifyEscaped(bytes: Buffer, start: number, end: number): boolean {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) ascii = false;
    else if (c === BACKSLASH) {
      const e = bytes[++i];
      if (e === 0x22 || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) continue;
      if (e !== 0x75 || i + 4 >= end || bytes[i + 1] !== 0x30 || bytes[i + 2] !== 0x30) return false;
      const hi = bytes[i + 3]!;
      const lo = bytes[i + 4]!;
      const low = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
      if ((hi !== 0x30 && hi !== 0x31) || low < 0) return false;
      const code = (hi - 0x30) * 16 + low;
      // the short forms JSON.stringify uses instead
      if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return false;
      i += 4;
    }
  }
  return ascii || isUtf8(bytes.subarray(start, end));
}

/** The escaped bytes of event `index`'s message when they can be copied as its JSON string content. */
export function reusableEscaped(messages: EscapedMessages | undefined, index: number): { start: number; end: number } | undefined {
  if (!messages) return undefined;
  const start = messages.ranges[2 * index];
  const end = messages.ranges[2 * index + 1];
  if (start === undefined || end === undefined) return undefined;
  return isStringifyEscaped(messages.bytes, start, end) ? { start, end } : undefined;
}
