/** Time helpers shared by the parsers: pure, no clock. */

/** Date.UTC's valid range; beyond it `toISOString` throws. */
const MAX_EPOCH_MS = 8.64e15;

/** True for a finite epoch-ms value that `toISOString` can format. */
export function isValidEpochMs(ms: unknown): ms is number {
  return typeof ms === "number" && Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS;
}

// Events of one batch share their second: format that part once.
let cachedSecond = Number.NaN;
let cachedPrefix = "";

/** RFC 3339, UTC, exactly millisecond precision: `2023-06-19T08:07:21.501Z`. */
export function formatEventTime(ms: number): string {
  const t = Math.floor(ms);
  const second = Math.floor(t / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    if (iso.length !== 24) return new Date(t).toISOString(); // years beyond 9999 or before 0
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const millis = t - second * 1000;
  return cachedPrefix + (millis < 10 ? "00" : millis < 100 ? "0" : "") + millis + "Z";
}

/** Epoch ms for a UTC calendar time, or undefined when a field is out of range (Feb 30, 25:00 …). */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls Feb 30 over into March: a changed day means the date does not exist.
  if (day > 28 && new Date(t).getUTCDate() !== day) return undefined;
  return t;
}

// date, `T` (or space, which RFC 3339 allows and Panther-style exports use), time,
// optional fraction of any length, optional zone (absent = UTC).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;

/** Epoch ms of an RFC 3339 timestamp (fraction truncated to ms, offset honoured), or undefined. */
export function parseRfc3339(text: unknown): number | undefined {
  if (typeof text !== "string" || text.length > 40) return undefined;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const fraction = m[7] ? Number((m[7] + "00").slice(0, 3)) : 0;
  const t = utcMs(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, fraction);
  if (t === undefined) return undefined;
  if (!m[9]) return t;
  const offsetMinutes = Number(m[10]) * 60 + Number(m[11]);
  if (Number(m[10]) > 23 || Number(m[11]) > 59) return undefined;
  return m[9] === "+" ? t - offsetMinutes * 60_000 : t + offsetMinutes * 60_000;
}

// The subset both RFC 3339 and Athena's `from_iso8601_timestamp` accept: upper-case `T`,
// seconds present, 1–9 fraction digits, `Z` or `±hh:mm`. Athena fails the whole query on
// one value outside it (`2026-12-01 18:57:52.38`), so such values are never written.
const STRICT_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** True when `text` is a date-time Athena's `from_iso8601_timestamp` parses (no leap second, real dates only). */
export function isStrictDateTime(text: string): boolean {
  const m = STRICT_DATE_TIME.exec(text);
  return m !== null && +m[6]! <= 59 && utcMs(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, 0) !== undefined;
}
