/**
 * Finds the raw text of top-level values of a JSON object without parsing them.
 * Audit requestObject/responseObject are most of an audit event's bytes; kept as
 * JSON text they need no JSON.parse + JSON.stringify round trip (measured in bench/:
 * the round trip cost more than all other audit work together).
 */

/** End (exclusive) of the string starting at text[start] === '"', or -1 when it is not terminated. */
export function stringEnd(text: string, start: number): number {
  // indexOf jumps natively from quote to quote; only the backslashes before one are counted.
  for (let quote = start; ; ) {
    quote = text.indexOf('"', quote + 1);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
  }
}

// Expected closers of the open brackets, reused across calls (grown when a value nests deeper).
let closers = new Uint8Array(64);

/** End (exclusive) of the object or array starting at text[start], or -1 when its brackets or strings do not close. */
export function containerEnd(text: string, start: number): number {
  let depth = 0;
  const n = text.length;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === 123 || c === 91) {
      if (depth === closers.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(closers);
        closers = grown;
      }
      closers[depth++] = c + 2; // { → }, [ → ]
    } else if (c === 125 || c === 93) {
      if (depth === 0 || closers[--depth] !== c) return -1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export interface RawValue {
  readonly key: string;
  /** The value's text, exactly as written. */
  readonly text: string;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  return i;
}

/** End of a number or literal: the next `,`, `}` or whitespace. */
function scalarEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 125 || c === 32 || c === 9 || c === 10 || c === 13) return i;
  }
  return -1;
}

/**
 * Cuts the object/array values of the given top-level keys out of `json` (a JSON object
 * text), replacing each by `0`, in one walk over the top level. Returns the cut text and
 * the values, or undefined when no such value is there or the text is not shaped as
 * expected (callers then parse it whole, which also reports the error). Inside a cut
 * value only brackets and strings are checked: it is taken as written.
 */
export function cutTopLevelValues(json: string, keys: readonly string[]): { rest: string; values: RawValue[] } | undefined {
  const found: { key: string; start: number; end: number }[] = [];
  let i = skipSpace(json, 0);
  if (json.charCodeAt(i) !== 123) return undefined;
  i = skipSpace(json, i + 1);
  if (json.charCodeAt(i) === 125) return undefined;
  for (;;) {
    if (json.charCodeAt(i) !== 34) return undefined;
    const keyEnd = stringEnd(json, i);
    if (keyEnd < 0) return undefined;
    const colon = skipSpace(json, keyEnd);
    if (json.charCodeAt(colon) !== 58) return undefined;
    const start = skipSpace(json, colon + 1);
    const c = json.charCodeAt(start);
    let end: number;
    if (c === 123 || c === 91) end = containerEnd(json, start);
    else if (c === 34) end = stringEnd(json, start);
    else end = scalarEnd(json, start);
    if (end < 0) return undefined;
    if (c === 123 || c === 91) {
      const key = keys.find((k) => k.length === keyEnd - i - 2 && json.startsWith(k, i + 1));
      if (key !== undefined) found.push({ key, start, end });
    }
    const next = skipSpace(json, end);
    const d = json.charCodeAt(next);
    if (d === 125) break;
    if (d !== 44) return undefined;
    i = skipSpace(json, next + 1);
  }
  if (found.length === 0) return undefined;
  let rest = "";
  let from = 0;
  for (const f of found) {
    rest += json.slice(from, f.start) + "0";
    from = f.end;
  }
  rest += json.slice(from);
  return { rest, values: found.map((f) => ({ key: f.key, text: json.slice(f.start, f.end) })) };
}

/**
 * The fast path for the key order kube-apiserver writes (the Go struct's field order):
 * `…,"requestObject":{…},"responseObject":{…},"requestReceivedTimestamp":"…",…}`. Only
 * requestObject is bracket-matched; responseObject runs to the last top-level
 * `,"requestReceivedTimestamp":"`, a sequence that cannot occur inside a string value.
 * The caller must confirm the cut (see `confirmsCut`) by parsing `rest`: a wrong guess
 * leaves unbalanced brackets or the placeholders off the top level.
 */
export function cutKubeApiserverObjects(json: string): { rest: string; values: RawValue[] } | undefined {
  const tail = json.lastIndexOf(TAIL);
  if (tail < 0) return undefined;
  const req = json.indexOf(REQUEST);
  const values: RawValue[] = [];
  let responseKey = -1;
  if (req >= 0 && req < tail) {
    const start = req + REQUEST.length;
    const end = containerEnd(json, start);
    if (end < 0) return undefined;
    values.push({ key: "requestObject", text: json.slice(start, end) });
    if (end === tail) return { rest: json.slice(0, req) + REQUEST + "0" + json.slice(tail), values };
    if (!json.startsWith(RESPONSE, end)) return undefined;
    responseKey = end;
  } else {
    responseKey = json.indexOf(RESPONSE);
    if (responseKey < 0 || responseKey > tail) return undefined;
  }
  const start = responseKey + RESPONSE.length;
  const first = json.charCodeAt(start);
  const last = json.charCodeAt(tail - 1);
  if (!((first === 123 && last === 125) || (first === 91 && last === 93))) return undefined;
  values.push({ key: "responseObject", text: json.slice(start, tail) });
  const head = values.length === 2 ? json.slice(0, req) + REQUEST + "0" : json.slice(0, responseKey);
  return { rest: head + RESPONSE + "0" + json.slice(tail), values };
}

const REQUEST = ',"requestObject":';
const RESPONSE = ',"responseObject":';
const TAIL = ',"requestReceivedTimestamp":"';

/** Whether a parsed `rest` proves the fast-path cut: every placeholder at the top level, the tail key there too. */
export function confirmsCut(parsed: Record<string, unknown>, values: readonly RawValue[]): boolean {
  return typeof parsed.requestReceivedTimestamp === "string" && values.every((v) => parsed[v.key] === 0);
}
