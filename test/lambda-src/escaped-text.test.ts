/**
 * Reusing a message's escaped bytes must give the very bytes JSON.stringify would: the check is
 * tested against JSON.stringify on random text, and whole lines through the bundled handler
 * (which copies) against lines built by escaping (which does not).
 */
import fc from "fast-check";
import { DEFAULT_CONFIG } from "../../lambda-src/config";
import { decodeRecord } from "../../lambda-src/envelope";
import { isStringifyEscaped } from "../../lambda-src/escaped-text";
import { lineContext, lineText, renderLine } from "../../lambda-src/lines";
import { createParsers } from "../../lambda-src/parsers";
import { AUDIT_STREAM, dataMessage, encodeRecord, invocation, KLOG_STREAM, loadBundle } from "./helpers";

const bundle = loadBundle();
const anyText = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string({ unit: fc.constantFrom("\"", "\\", "\n", "\u0001", "\u001f", "\u007f", "é", "\u2028", "\ud800", "/", "<") }));

describe("isStringifyEscaped", () => {
  it("holds for JSON.stringify's own escaping of any text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const bytes = Buffer.from(JSON.stringify(text).slice(1, -1));
        // A lone surrogate is written as \\udXXX, which the check leaves to JSON.stringify.
        expect(isStringifyEscaped(bytes, 0, bytes.length)).toBe((text as unknown as { isWellFormed(): boolean }).isWellFormed());
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ["an escaped slash", "a\\/b"],
    ["an escaped letter", "\\u0041"],
    ["an uppercase control escape", "\\u001F"],
    ["a long form JSON.stringify writes short", "\\u000a"],
    ["an escaped non-ASCII character", "caf\\u00e9"],
    ["an escaped surrogate pair", "\\ud83d\\ude00"],
    ["a truncated escape", "ab\\u00"],
  ])("refuses %s", (_name, escaped) => {
    const bytes = Buffer.from(escaped);
    expect(isStringifyEscaped(bytes, 0, bytes.length)).toBe(false);
  });

  it("refuses invalid UTF-8", () => {
    const bytes = Buffer.from([0x61, 0xc3, 0x28, 0x62]);
    expect(isStringifyEscaped(bytes, 0, bytes.length)).toBe(false);
  });
});

describe("raw-text lines copied from the payload", () => {
  const parsers = createParsers(DEFAULT_CONFIG);
  /** The line of each event as built by escaping (no payload bytes to copy). */
  function escapedLines(payload: object): string[] {
    const decoded = decodeRecord(encodeRecord(payload), 0, DEFAULT_CONFIG.maxDecompressedBytes);
    if (decoded.kind !== "data") throw new Error(decoded.kind);
    const ctx = lineContext(decoded.payload, parsers);
    return decoded.payload.logEvents.map((e) => lineText(renderLine(ctx, e)));
  }

  it("are byte for byte the lines JSON.stringify would write, for any message that fails to parse", async () => {
    const handler = bundle.createHandler({ config: bundle.DEFAULT_CONFIG, log: { info: () => undefined, warn: () => undefined } });
    await fc.assert(
      fc.asyncProperty(fc.array(anyText, { minLength: 1, maxLength: 6 }), fc.boolean(), async (texts, audit) => {
        // Audit events cut short (invalid JSON) and klog text without a header: both lines carry the raw text.
        const messages = texts.map((t) => (audit ? `{"kind":"Event","note":${JSON.stringify(t)}` : `no header ${t}`));
        const payload = dataMessage(audit ? AUDIT_STREAM : KLOG_STREAM, messages);
        const response = await handler(invocation([payload]) as never);
        const lines = Buffer.from(response.records[0]!.data!, "base64").toString("utf8").split("\n").slice(0, -1);
        expect(lines).toEqual(escapedLines(payload));
      }),
      { numRuns: 300 },
    );
  });
});
