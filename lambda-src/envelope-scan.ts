/**
 * The CloudWatch Logs subscription payload read straight from the gunzipped bytes, in the one shape
 * CloudWatch Logs (and this Lambda's re-ingest) writes it: compact, keys in this order, no
 * whitespace —
 *   {"messageType":"DATA_MESSAGE","owner":"…","logGroup":"…","logStream":"…",
 *    "subscriptionFilters":["…"],"logEvents":[{"id":"…","timestamp":1,"message":"…"},…]
 *    [,"reingest":{"hop":1}]}
 * Only the strings become JavaScript strings, each on its own: the payload as one string (hundreds
 * of KB, allocated outside V8's young generation) is what made decoding the most expensive step.
 * Anything else — another key order, whitespace, a number that is not plain digits, several
 * gzip members — returns undefined and the caller parses the text with JSON.parse, so the result is
 * always what JSON.parse would give.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const HEAD = Buffer.from('{"messageType":"DATA_MESSAGE","owner":');
const LOG_GROUP = Buffer.from(',"logGroup":');
const LOG_STREAM = Buffer.from(',"logStream":');
const FILTERS = Buffer.from(',"subscriptionFilters":[');
const EVENTS = Buffer.from(',"logEvents":[');
const ID = Buffer.from('{"id":');
const TIMESTAMP = Buffer.from(',"timestamp":');
const MESSAGE = Buffer.from(',"message":');
const REINGEST = Buffer.from(',"reingest":{"hop":');

const NEXT_EVENT = Buffer.from('"},{"id":"');
const LAST_EVENT = Buffer.from('"}]');

/** Whether the quote at `q` is preceded by an odd run of backslashes. */
function isEscaped(b: Buffer, q: number): boolean {
  let k = q - 1;
  while (b[k] === BACKSLASH) k--;
  return ((q - 1 - k) & 1) === 1;
}

class Reader {
  at = 0;
  /** The escaped text of the last string read: `b[textStart, textEnd)`, quotes excluded. */
  textStart = 0;
  textEnd = 0;
  constructor(readonly b: Buffer) {}

  literal(text: Buffer): boolean {
    if (this.at + text.length > this.b.length || this.b.compare(text, 0, text.length, this.at, this.at + text.length) !== 0) return false;
    this.at += text.length;
    return true;
  }

  byte(c: number): boolean {
    if (this.b[this.at] !== c) return false;
    this.at++;
    return true;
  }

  /** A JSON string as JSON.parse reads it (escapes, invalid UTF-8 as U+FFFD), or undefined. */
  string(): string | undefined {
    const b = this.b;
    const open = this.at;
    if (b[open] !== QUOTE) return undefined;
    // One pass to the closing quote: whether anything is escaped, and no control character (JSON forbids them).
    let escaped = false;
    let close = open + 1;
    const length = b.length;
    for (; close < length; close++) {
      const c = b[close]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        close++;
      } else if (c < 0x20) return undefined;
    }
    if (close >= length) return undefined;
    this.at = close + 1;
    this.textStart = open + 1;
    this.textEnd = close;
    if (!escaped) return b.toString("utf8", open + 1, close);
    try {
      return JSON.parse(b.toString("utf8", open, close + 1)) as string;
    } catch {
      return undefined;
    }
  }

  /**
   * An event's message: its end found natively by the bytes that follow it (`"},{"id":"`, or `"}]`
   * for the last event). Inside the string every quote is escaped, so `{"` cannot occur in it and
   * the first `"},{"id":"` is its end; a quote that turns out escaped falls back to string().
   */
  message(): string | undefined {
    const b = this.b;
    const open = this.at;
    if (b[open] !== QUOTE) return undefined;
    let close = b.indexOf(NEXT_EVENT, open + 1);
    if (close < 0) close = b.indexOf(LAST_EVENT, open + 1);
    if (close < 0 || isEscaped(b, close)) return this.string();
    this.at = close + 1;
    this.textStart = open + 1;
    this.textEnd = close;
    try {
      // JSON.parse of the literal: the escapes, and a refusal of anything JSON forbids.
      return JSON.parse(b.toString("utf8", open, close + 1)) as string;
    } catch {
      return undefined;
    }
  }

  /** Plain digits, no leading zero, at most 15 (below 2^53: the same number JSON.parse reads). */
  digits(): number | undefined {
    const b = this.b;
    const start = this.at;
    let n = 0;
    while (this.at < b.length && b[this.at]! >= 0x30 && b[this.at]! <= 0x39) n = n * 10 + (b[this.at++]! - 0x30);
    const length = this.at - start;
    if (length === 0 || length > 15 || (length > 1 && b[start] === 0x30)) return undefined;
    return n;
  }
}

export interface ScannedMessage {
  readonly messageType: "DATA_MESSAGE";
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: string[];
  readonly logEvents: { id: string; timestamp: number; message: string }[];
  readonly reingest?: { hop: number };
}

/**
 * The payload in `bytes` when it has CloudWatch Logs' own shape; undefined means: parse the text.
 * `messageRanges`, when given, receives each event's escaped message text as `[start, end)` pairs.
 */
export function scanDataMessage(bytes: Buffer, messageRanges?: number[]): ScannedMessage | undefined {
  const r = new Reader(bytes);
  if (!r.literal(HEAD)) return undefined;
  const owner = r.string();
  if (owner === undefined || !r.literal(LOG_GROUP)) return undefined;
  const logGroup = r.string();
  if (logGroup === undefined || !r.literal(LOG_STREAM)) return undefined;
  const logStream = r.string();
  if (logStream === undefined || !r.literal(FILTERS)) return undefined;
  const subscriptionFilters: string[] = [];
  if (!r.byte(0x5d)) {
    do {
      const filter = r.string();
      if (filter === undefined) return undefined;
      subscriptionFilters.push(filter);
    } while (r.byte(0x2c));
    if (!r.byte(0x5d)) return undefined;
  }
  if (!r.literal(EVENTS)) return undefined;
  const logEvents: ScannedMessage["logEvents"] = [];
  if (!r.byte(0x5d)) {
    do {
      if (!r.literal(ID)) return undefined;
      const id = r.string();
      if (id === undefined || !r.literal(TIMESTAMP)) return undefined;
      const timestamp = r.digits();
      if (timestamp === undefined || !r.literal(MESSAGE)) return undefined;
      const message = r.message();
      if (message === undefined || !r.byte(0x7d)) return undefined;
      logEvents.push({ id, timestamp, message });
      messageRanges?.push(r.textStart, r.textEnd);
    } while (r.byte(0x2c));
    if (!r.byte(0x5d)) return undefined;
  }
  let reingest: { hop: number } | undefined;
  if (r.literal(REINGEST)) {
    const hop = r.digits();
    if (hop === undefined || !r.byte(0x7d)) return undefined;
    reingest = { hop };
  }
  if (!r.byte(0x7d)) return undefined;
  // JSON.parse allows trailing whitespace; anything else (a second gzip member's JSON) is the slow path's.
  for (let i = r.at; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return undefined;
  }
  return { messageType: "DATA_MESSAGE", owner, logGroup, logStream, subscriptionFilters, logEvents, ...(reingest ? { reingest } : {}) };
}
