import { gunzipSync, gzipSync } from "node:zlib";
import { MAX_HEADER_HOP, readGzipHeader, withHop } from "../../lambda-src/gzip-hop";

const TEXT = Buffer.from(JSON.stringify({ messageType: "DATA_MESSAGE", logEvents: Array.from({ length: 50 }, (_, i) => ({ id: `${i}`, message: `line ${i} café` })) }));

/** A gzip member with the given flag fields before `body` (a deflate stream and its trailer, from gzipSync). */
function member(flags: number, fields: Buffer, source = gzipSync(TEXT)): Buffer {
  const head = Buffer.from(source.subarray(0, 10));
  head[3] = flags;
  return Buffer.concat([head, fields, source.subarray(10)]);
}

function extra(...subfields: [string, Buffer][]): Buffer {
  const body = Buffer.concat(subfields.map(([id, data]) => Buffer.concat([Buffer.from(id, "latin1"), Buffer.from([data.length & 0xff, data.length >> 8]), data])));
  return Buffer.concat([Buffer.from([body.length & 0xff, body.length >> 8]), body]);
}

describe("the re-ingest hop in the gzip header", () => {
  it("a plain gzip stream has no hop; its deflate data starts after the 10-byte header", () => {
    expect(readGzipHeader(gzipSync(TEXT))).toEqual({ hop: undefined, whole: false, bodyOffset: 10 });
  });

  it("withHop rewrites only the header: the stream inflates to the same bytes and reads back its hop", () => {
    const source = gzipSync(TEXT);
    for (const hop of [0, 1, 7, MAX_HEADER_HOP]) {
      const rewritten = withHop(source, readGzipHeader(source)!, hop);
      expect(gunzipSync(rewritten).equals(TEXT)).toBe(true);
      expect(readGzipHeader(rewritten)!.hop).toBe(hop);
      // The deflate data and trailer are the original bytes.
      expect(rewritten.subarray(readGzipHeader(rewritten)!.bodyOffset).equals(source.subarray(10))).toBe(true);
      // Rewriting again replaces the hop rather than adding a second one.
      expect(readGzipHeader(withHop(rewritten, readGzipHeader(rewritten)!, hop + 1 > MAX_HEADER_HOP ? 0 : hop + 1))!.hop).toBe(hop + 1 > MAX_HEADER_HOP ? 0 : hop + 1);
    }
  });

  it("carries the went-round-whole mark with the hop", () => {
    const source = gzipSync(TEXT);
    const marked = withHop(source, readGzipHeader(source)!, 0, true);
    expect(readGzipHeader(marked)).toMatchObject({ hop: 0, whole: true });
    expect(gunzipSync(marked).equals(TEXT)).toBe(true);
    expect(readGzipHeader(withHop(marked, readGzipHeader(marked)!, 3))).toMatchObject({ hop: 3, whole: false });
  });

  it("skips a file name, a comment, a header CRC and other subfields", () => {
    const fields = Buffer.concat([extra(["AP", Buffer.from("xyz")], ["EH", Buffer.from("3")]), Buffer.from("name.json\0comment\0", "latin1"), Buffer.from([0, 0])]);
    const stream = member(0x04 | 0x08 | 0x10 | 0x02, fields);
    const header = readGzipHeader(stream)!;
    expect(header.hop).toBe(3);
    expect(stream.subarray(header.bodyOffset).equals(gzipSync(TEXT).subarray(10))).toBe(true);
    expect(gunzipSync(withHop(stream, header, 4)).equals(TEXT)).toBe(true);
  });

  it.each([
    ["not digits", extra(["EH", Buffer.from("x")])],
    ["empty", extra(["EH", Buffer.alloc(0)])],
    ["over the bound", extra(["EH", Buffer.from("101")])],
    ["four digits", extra(["EH", Buffer.from("0001")])],
    ["only the mark", extra(["EH", Buffer.from("w")])],
    ["the mark first", extra(["EH", Buffer.from("w1")])],
    ["twice", extra(["EH", Buffer.from("1")], ["EH", Buffer.from("1")])],
    ["a subfield longer than the extra field", Buffer.concat([Buffer.from([6, 0]), Buffer.from("EH"), Buffer.from([9, 0]), Buffer.from("12")])],
  ])("a hop subfield %s reads as exhausted (never a loop), and as gone round whole", (_name, fields) => {
    expect(readGzipHeader(member(0x04, fields))).toMatchObject({ hop: Number.POSITIVE_INFINITY, whole: true });
  });

  it("is not read from what is not gzip: wrong magic, method, reserved flags, or too short", () => {
    const good = gzipSync(TEXT);
    expect(readGzipHeader(Buffer.from("{\"messageType\":\"DATA_MESSAGE\"}"))).toBeUndefined();
    expect(readGzipHeader(Buffer.concat([Buffer.from([0x1f, 0x8b, 7]), good.subarray(3)]))).toBeUndefined();
    expect(readGzipHeader(member(0x20, Buffer.alloc(0)))).toBeUndefined();
    expect(readGzipHeader(good.subarray(0, 12))).toBeUndefined();
    expect(() => withHop(good, readGzipHeader(good)!, MAX_HEADER_HOP + 1)).toThrow(RangeError);
  });
});
