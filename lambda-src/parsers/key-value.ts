/**
 * `key=value` scanning shared by klog (structured `"msg" key=value …`) and the
 * authenticator (logrus text `time="…" level=info msg="…" …`). Both quote values
 * with Go's %q, so one Go string reader serves both.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

export interface Scanned {
  readonly value: string;
  /** Index just after the closing quote. */
  readonly end: number;
}

/**
 * Reads the Go-quoted string (`strconv.Quote`) starting at `text[start] === '"'`.
 * Returns undefined when it is not terminated (a cut line) or holds a bad escape.
 */
export function readGoQuoted(text: string, start: number): Scanned | undefined {
  let out = "";
  let chunk = start + 1;
  let i = chunk;
  // Both positions are searched again only once passed, so long strings stay linear.
  let quote = text.indexOf('"', i);
  let backslash = text.indexOf("\\", i);
  for (;;) {
    if (quote < 0) return undefined;
    if (backslash < 0 || quote < backslash) return { value: out + text.slice(chunk, quote), end: quote + 1 };
    out += text.slice(chunk, backslash);
    const e = text[backslash + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    let consumed: number;
    if (simple !== undefined) {
      out += simple;
      consumed = 2;
    } else {
      // \xHH (a byte), \uHHHH, \UHHHHHHHH, \ooo (octal byte)
      const width = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
      const digits = width ? text.slice(backslash + 2, backslash + 2 + width) : text.slice(backslash + 1, backslash + 4);
      const code = width ? (/^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : NaN) : /^[0-7]{3}$/.test(digits) ? parseInt(digits, 8) : NaN;
      if (Number.isNaN(code) || digits.length !== (width || 3) || code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      consumed = width ? 2 + width : 4;
    }
    chunk = i = backslash + consumed;
    if (quote < i) quote = text.indexOf('"', i);
    backslash = text.indexOf("\\", i);
  }
}

const OPENERS: Readonly<Record<string, string>> = { "{": "}", "[": "]", "(": ")" };

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * A bracketed Go `%+v` dump (`{VolumeName:… ScheduledPods:[…]}`) may hold spaces: read to the
 * matching bracket, then on to the next space. An unbalanced dump (cut line) runs to the end.
 */
function readBracketed(text: string, start: number): number {
  const stack: string[] = [];
  let i = start;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    const closer = OPENERS[ch];
    if (closer) stack.push(closer);
    else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) {
        i++;
        break;
      }
    }
  }
  while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** klog's multi-line value: `key=<\n\tline 1\n\tline 2\n >`. */
function readMultiline(text: string, start: number): Scanned | undefined {
  const close = text.indexOf("\n >", start + 1);
  if (close < 0) return undefined;
  const body = text.slice(start + 2, close); // after "<\n"
  return { value: body.replace(/^\t/gm, ""), end: close + 3 };
}

export interface KeyValues {
  readonly pairs: Record<string, string>;
  readonly count: number;
  /** Why scanning stopped early, with the offset; the pairs read before it are kept. */
  readonly error?: string;
}

export interface ScanOptions {
  /** klog only: bracketed `%+v` dumps and `=<` multi-line values. */
  readonly klogValues: boolean;
}

/**
 * Scans `key=value` pairs separated by whitespace from `start` to the end of `text`.
 * Values are Go-quoted, bare (to the next whitespace) or empty (`arn=`). A repeated key keeps its last value.
 */
export function scanKeyValues(text: string, start: number, options: ScanOptions): KeyValues {
  // No prototype: a key such as `__proto__` or `constructor` is data like any other.
  const pairs: Record<string, string> = Object.create(null);
  let count = 0;
  let i = start;
  const n = text.length;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return { pairs, count };
    const keyStart = i;
    while (i < n && text[i] !== "=" && text[i] !== '"' && !isSpace(text.charCodeAt(i))) i++;
    if (i === keyStart || text[i] !== "=") return { pairs, count, error: `expected key=value at offset ${keyStart}` };
    const key = text.slice(keyStart, i);
    i++; // "="
    let value: string;
    const c = text[i];
    if (i >= n || isSpace(text.charCodeAt(i))) {
      value = "";
    } else if (c === '"') {
      const quoted = readGoQuoted(text, i);
      if (!quoted) return { pairs, count, error: `unterminated quoted value for ${key} at offset ${i} (cut line?)` };
      value = quoted.value;
      i = quoted.end;
    } else if (options.klogValues && c === "<" && text[i + 1] === "\n") {
      const multi = readMultiline(text, i);
      if (!multi) return { pairs, count, error: `unterminated multi-line value for ${key} at offset ${i} (cut line?)` };
      value = multi.value;
      i = multi.end;
    } else if (options.klogValues && c !== undefined && OPENERS[c]) {
      const end = readBracketed(text, i);
      value = text.slice(i, end);
      i = end;
    } else {
      const valueStart = i;
      while (i < n && !isSpace(text.charCodeAt(i))) i++;
      value = text.slice(valueStart, i);
    }
    if (i < n && !isSpace(text.charCodeAt(i))) return { pairs, count, error: `expected whitespace after ${key} value at offset ${i}` };
    pairs[key] = value;
    count++;
  }
}
