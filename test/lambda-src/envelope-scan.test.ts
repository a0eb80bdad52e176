/**
 * The envelope scanner must give exactly what JSON.parse gives, or nothing (the caller then parses
 * the text): random payloads in CloudWatch Logs' shape, every way out of that shape, invalid UTF-8,
 * and the corpus's real envelopes.
 */
import fc from "fast-check";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { scanDataMessage } from "../../lambda-src/envelope-scan";
import { ROOT } from "./helpers";

const ENVELOPES = path.resolve(ROOT, "../shared/corpus/envelopes");

/** Any string, lone surrogates, control characters and quotes included. */
const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.constantFrom('{"kind":"Event","a":"b\\"c\\\\"}', "line\nwith\ttabs", "\u2028\u2029", "\ud800", "", "\\"));
const payloadArb = fc.record(
  {
    messageType: fc.constant("DATA_MESSAGE"),
    owner: fc.oneof(fc.constant("111122223333"), text),
    logGroup: text,
    logStream: text,
    subscriptionFilters: fc.array(text, { maxLength: 3 }),
    logEvents: fc.array(fc.record({ id: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 56n }).map(String), text), timestamp: fc.integer({ min: 0, max: 999_999_999_999_999 }), message: text }), { maxLength: 8 }),
    reingest: fc.record({ hop: fc.nat(1000) }),
  },
  { requiredKeys: ["messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"] },
);

describe("scanDataMessage", () => {
  it("reads every payload in CloudWatch Logs' shape exactly as JSON.parse does", () => {
    fc.assert(
      fc.property(payloadArb, (payload) => {
        const bytes = Buffer.from(JSON.stringify(payload));
        expect(scanDataMessage(bytes)).toEqual(JSON.parse(bytes.toString("utf8")));
      }),
      { numRuns: 500 },
    );
  });

  it("reads invalid UTF-8 inside a string as JSON.parse of the decoded text does (U+FFFD)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (raw) => {
        const safe = Buffer.from(raw.filter((c) => c !== 0x22 && c !== 0x5c && c >= 0x20));
        const bytes = Buffer.concat([Buffer.from('{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"'), safe, Buffer.from('"}]}')]);
        expect(scanDataMessage(bytes)).toEqual(JSON.parse(bytes.toString("utf8")));
      }),
      { numRuns: 300 },
    );
  });

  const base = { messageType: "DATA_MESSAGE", owner: "111122223333", logGroup: "/aws/eks/a/cluster", logStream: "kube-scheduler-x", subscriptionFilters: ["f@eu-west-1"], logEvents: [{ id: "1", timestamp: 1700000000000, message: "m" }] };
  const compact = JSON.stringify(base);
  it.each([
    ["pretty-printed", JSON.stringify(base, null, 2)],
    ["another key order", JSON.stringify({ logGroup: base.logGroup, owner: base.owner, messageType: base.messageType, logStream: base.logStream, subscriptionFilters: base.subscriptionFilters, logEvents: base.logEvents })],
    ["an event key order of its own", compact.replace('{"id":"1","timestamp":1700000000000', '{"timestamp":1700000000000,"id":"1"')],
    ["a negative timestamp", compact.replace("1700000000000", "-1")],
    ["a fractional timestamp", compact.replace("1700000000000", "1700000000000.5")],
    ["an exponent", compact.replace("1700000000000", "17e11")],
    ["a leading zero", compact.replace("1700000000000", "01700000000000")],
    ["16 digits", compact.replace("1700000000000", "1700000000000000")],
    ["a control character in a string", compact.replace('"message":"m"', '"message":"a\u0001b"')],
    ["a second JSON value (several gzip members)", compact + compact],
    ["trailing text", compact + "x"],
    ["a CONTROL_MESSAGE", compact.replace("DATA_MESSAGE", "CONTROL_MESSAGE")],
    ["an extra field", compact.replace('"logEvents"', '"extra":1,"logEvents"')],
    ["a hop that is not digits", compact.slice(0, -1) + ',"reingest":{"hop":"0"}}'],
    ["a truncated payload", compact.slice(0, -3)],
    ["a byte-order mark", "\ufeff" + compact],
  ])("leaves %s to JSON.parse", (_name, variant) => {
    expect(scanDataMessage(Buffer.from(variant))).toBeUndefined();
  });

  it("takes trailing whitespace and the re-ingest hop, as JSON.parse does", () => {
    for (const variant of [compact + "\n", compact + " \t\r\n", compact.slice(0, -1) + ',"reingest":{"hop":3}}']) {
      expect(scanDataMessage(Buffer.from(variant))).toEqual(JSON.parse(variant));
    }
  });

  const describeCorpus = existsSync(ENVELOPES) ? describe : describe.skip;
  describeCorpus("the corpus's real envelopes", () => {
    it("reads CloudWatch Logs' own payloads (ukhomeoffice) as JSON.parse does, and leaves the pretty-printed AWS docs example and the control message to it", () => {
      const payloads = readFileSync(path.join(ENVELOPES, "firehose-transformation-invocation.ukhomeoffice.records-gunzipped.txt"), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        // A line is the payload's text, or that text as a JSON string.
        .map((l) => (typeof JSON.parse(l) === "string" ? (JSON.parse(l) as string) : l));
      payloads.push(readFileSync(path.join(ENVELOPES, "firehose-processing-failed-record.ukhomeoffice.rawData-gunzipped.json"), "utf8"));
      expect(payloads.length).toBeGreaterThan(1);
      for (const p of payloads) expect(scanDataMessage(Buffer.from(p))).toEqual(JSON.parse(p));
      expect(scanDataMessage(readFileSync(path.join(ENVELOPES, "cwl-subscription-data-message.awsdocs.json")))).toBeUndefined();
      expect(scanDataMessage(readFileSync(path.join(ENVELOPES, "cwl-subscription-control-message.firehose-s3.json")))).toBeUndefined();
    });
  });
});
