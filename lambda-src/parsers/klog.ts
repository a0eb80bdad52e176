/**
 * klog text lines (kube-apiserver, kube-scheduler, kube-controller-manager,
 * cloud-controller-manager): `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`.
 * Newer lines are structured: `"msg" key=value key="quoted \"value\""`.
 * Multi-line messages (Trace blocks, panics, embedded newlines) stay one event.
 */
import { utcMs } from "../time";
import { readGoQuoted, scanKeyValues } from "./key-value";
import { normaliseNewlines, type ParseResult, parseError } from "./types";

const HEADER = new RegExp(
  [
    "^([IWEF])", // severity letter
    "(\\d\\d)(\\d\\d) ", // month, day: klog writes no year
    "(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{1,9})", // time of day, UTC, microseconds
    " +(\\d{1,9}) ", // thread id, space-padded to 7 columns (some copies collapse the padding)
    "([^\\s:\\]]+):(\\d{1,9})\\]", // source file and line
    " ?", // one space before the message
  ].join(""),
);

const SEVERITY: Readonly<Record<string, string>> = { I: "info", W: "warning", E: "error", F: "fatal" };

const HALF_YEAR_MS = 183 * 24 * 3600 * 1000;

/**
 * The year klog leaves out, taken from the CloudWatch timestamp: of the previous, the same
 * and the next year, the valid date closest to it. A December line stamped in January
 * gets the previous year, a January line stamped in December (clock skew) the next one.
 */
export function klogTimeMs(month: number, day: number, h: number, m: number, s: number, ms: number, cwlMs: number): number | undefined {
  const year = new Date(cwlMs).getUTCFullYear();
  let best: number | undefined;
  for (const y of [year - 1, year, year + 1]) {
    const t = utcMs(y, month, day, h, m, s, ms);
    if (t !== undefined && (best === undefined || Math.abs(t - cwlMs) < Math.abs(best - cwlMs))) best = t;
  }
  // Only Feb 29 can be further away (the nearest leap year): no real line is.
  return best !== undefined && Math.abs(best - cwlMs) <= HALF_YEAR_MS ? best : undefined;
}

/** Parses one klog event. Pure. */
export function parseKlog(line: string, eventTimeMs: number): ParseResult {
  const text = normaliseNewlines(line);
  if (text.trim() === "") return parseError("klog: empty message");
  const header = HEADER.exec(text);
  if (!header) return parseError("klog: no klog header (continuation line or cut event)");
  const [whole, letter, month, day, h, m, s, fraction, thread, file, sourceLine] = header as unknown as string[];
  const timeMs = klogTimeMs(+month!, +day!, +h!, +m!, +s!, Number((fraction! + "00").slice(0, 3)), eventTimeMs);
  if (timeMs === undefined) return parseError(`klog: invalid date ${month}${day} ${h}:${m}:${s} in header`);
  const fields: Record<string, unknown> = {
    severity: SEVERITY[letter!],
    thread_id: Number(thread),
    source_file: file,
    source_line: Number(sourceLine),
  };
  const body = text.slice(whole!.length);
  const structured = body.startsWith('"') ? structuredMessage(body) : undefined;
  if (structured) {
    fields.message = structured.message;
    if (structured.kv) fields.kv = structured.kv;
  } else {
    fields.message = body;
  }
  return { timeMs, fields };
}

/** `"msg" k=v …`: the message and its pairs, or undefined when the body is not fully structured (`"tagging" is disabled`). */
function structuredMessage(body: string): { message: string; kv?: Record<string, string> } | undefined {
  const quoted = readGoQuoted(body, 0);
  if (!quoted) return undefined;
  const next = body.charCodeAt(quoted.end);
  if (quoted.end < body.length && next !== 32 && next !== 10 && next !== 9) return undefined;
  const scanned = scanKeyValues(body, quoted.end, { klogValues: true });
  if (scanned.error) return undefined;
  return scanned.count > 0 ? { message: quoted.value, kv: scanned.pairs } : { message: quoted.value };
}
