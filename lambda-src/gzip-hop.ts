/**
 * The re-ingest hop in the gzip header (RFC 1952 FEXTRA), readable without inflating: a record the
 * handler will not render in this invocation goes back into the stream as its own compressed bytes
 * with only the header rewritten, and the next invocation learns its hop from the first few bytes.
 *
 * Subfield `SI1 SI2` = "EH", the hop as 1–3 ASCII digits, then `w` when the record already went round
 * whole once (it is not sent whole again). Tamper-proof as the JSON field is: a header that carries the
 * subfield in any other form (twice, empty, not digits, over 100, framing that does not add up) reads as
 * an exhausted hop, so no record can make the handler loop.
 */

const ID1 = 0x1f;
const ID2 = 0x8b;
const CM_DEFLATE = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;
const SI1 = 0x45; // "E"
const SI2 = 0x48; // "H"
const WHOLE = 0x77; // "w"
/** The largest hop a header may carry; the JSON field has the same bound (envelope.ts). */
export const MAX_HEADER_HOP = 100;

export interface GzipHeader {
  /** The hop the header carries: undefined without our subfield, Infinity when it is malformed. */
  readonly hop: number | undefined;
  /** The record went round whole once already. */
  readonly whole: boolean;
  /** Where the deflate data of the first member starts. */
  readonly bodyOffset: number;
}

/** The header of a gzip member at the start of `data`, or undefined when it is not one this can read. */
export function readGzipHeader(data: Uint8Array): GzipHeader | undefined {
  if (data.length < 18 || data[0] !== ID1 || data[1] !== ID2 || data[2] !== CM_DEFLATE) return undefined;
  const flags = data[3]!;
  if (flags & FRESERVED) return undefined;
  let at = 10;
  let hop: number | undefined;
  let whole = false;
  if (flags & FEXTRA) {
    const xlen = data[at]! | (data[at + 1]! << 8);
    const end = at + 2 + xlen;
    if (end > data.length) return undefined;
    at += 2;
    while (at < end) {
      if (at + 4 > end) return { hop: Number.POSITIVE_INFINITY, whole: true, bodyOffset: end };
      const len = data[at + 2]! | (data[at + 3]! << 8);
      const value = at + 4;
      if (value + len > end) return { hop: Number.POSITIVE_INFINITY, whole: true, bodyOffset: end };
      if (data[at] === SI1 && data[at + 1] === SI2) {
        whole = len > 1 && data[value + len - 1] === WHOLE;
        hop = hop === undefined ? digits(data, value, whole ? len - 1 : len) : Number.POSITIVE_INFINITY;
      }
      at = value + len;
    }
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (at < data.length && data[at] !== 0) at++;
    at++;
  }
  if (flags & FHCRC) at += 2;
  if (at >= data.length) return undefined;
  return { hop, whole: whole || hop === Number.POSITIVE_INFINITY, bodyOffset: at };
}

function digits(data: Uint8Array, from: number, len: number): number {
  if (len < 1 || len > 3) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = from; i < from + len; i++) {
    const c = data[i]!;
    if (c < 0x30 || c > 0x39) return Number.POSITIVE_INFINITY;
    n = n * 10 + (c - 0x30);
  }
  return n <= MAX_HEADER_HOP ? n : Number.POSITIVE_INFINITY;
}

/**
 * `data` (a gzip stream whose first header `header` describes) with that header replaced by one
 * carrying `hop` (and `whole`): the deflate data and its trailer (CRC-32 and length of the uncompressed bytes)
 * are unchanged, so the stream inflates to the same bytes. File name, comment and header CRC go.
 */
export function withHop(data: Uint8Array, header: GzipHeader, hop: number, whole = false): Buffer {
  if (!Number.isInteger(hop) || hop < 0 || hop > MAX_HEADER_HOP) throw new RangeError(`hop ${hop} is not 0–${MAX_HEADER_HOP}`);
  const value = whole ? `${hop}w` : String(hop);
  const extra = 4 + value.length;
  const out = Buffer.allocUnsafe(12 + extra + data.length - header.bodyOffset);
  out[0] = ID1;
  out[1] = ID2;
  out[2] = CM_DEFLATE;
  out[3] = FEXTRA | (data[3]! & 0x01); // keep FTEXT
  out.set(data.subarray(4, 10), 4); // MTIME, XFL, OS
  out[10] = extra & 0xff;
  out[11] = extra >> 8;
  out[12] = SI1;
  out[13] = SI2;
  out[14] = value.length;
  out[15] = 0;
  out.write(value, 16, "latin1");
  out.set(data.subarray(header.bodyOffset), 12 + extra);
  return out;
}
