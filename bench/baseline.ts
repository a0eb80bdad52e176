/**
 * The throughput baseline: what any CWL → Firehose transform must do at least —
 * base64-decode, gunzip, read the payload, write each raw message as a line, encode
 * the response. No parsing, no budget.
 */
import { gunzipSync } from "node:zlib";

interface Invocation {
  records: { recordId: string; data: string }[];
}

export function baselineTransform(event: Invocation): { records: { recordId: string; result: string; data: string }[] } {
  return {
    records: event.records.map((r) => {
      const payload = JSON.parse(gunzipSync(Buffer.from(r.data, "base64")).toString("utf8")) as { logEvents: { message: string }[] };
      // The same line joining as the handler (one buffer, no string join), so only the parsing differs.
      const lines = payload.logEvents.map((e) => Buffer.from(e.message));
      const out = Buffer.allocUnsafe(lines.reduce((n, l) => n + l.length + 1, 0));
      let offset = 0;
      for (const line of lines) {
        offset += line.copy(out, offset);
        out[offset++] = 10;
      }
      return { recordId: r.recordId, result: "Ok", data: out.toString("base64") };
    }),
  };
}
