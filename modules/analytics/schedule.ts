/**
 * The incremental window. Each run reads the raw objects of the complete `dt` hours before the
 * hour it starts in, selected by the `dt` path parameter relative to the run's start:
 *
 *   dt after  (start − (N+1) h)  and  dt before (start − 1 h)
 *
 * `dt` values are whole hours and runs start at minute M ≥ 1, so for a start anywhere in hour H
 * this is exactly dt ∈ [H−N, H−1]: runs every N hours tile the timeline with no gap and no overlap,
 * even when a run starts late within its hour.
 */

export interface Cadence {
  /** Minute past the hour the schedule fires, 1–59. */
  readonly minute: number;
  /** Hours between runs: 1, a divisor of 24, or 24 (daily). */
  readonly everyHours: number;
}

const FIELD = String.raw`(\S+)`;
const CRON = new RegExp(`^cron\\(${FIELD} ${FIELD} ${FIELD} ${FIELD} ${FIELD} ${FIELD}\\)$`);

/** The cadence of a DataBrew cron that runs every N hours at a fixed minute, or undefined. */
export function parseCadence(schedule: string): Cadence | undefined {
  const m = CRON.exec(schedule);
  if (!m) return undefined;
  const [minute, hours, dayOfMonth, month, dayOfWeek, year] = m.slice(1) as [string, string, string, string, string, string];
  if (!/^\d{1,2}$/.test(minute) || Number(minute) < 1 || Number(minute) > 59) return undefined;
  // DataBrew cron (like EventBridge): one of day-of-month and day-of-week is "?".
  const days = (dayOfMonth === "?" && dayOfWeek === "*") || (dayOfMonth === "*" && dayOfWeek === "?");
  if (!days || month !== "*" || year !== "*") return undefined;
  let everyHours: number | undefined;
  if (hours === "*") everyHours = 1;
  else if (/^\d{1,2}$/.test(hours) && Number(hours) <= 23) everyHours = 24;
  else {
    const step = /^(?:\*|0)\/(\d{1,2})$/.exec(hours);
    if (step && 24 % Number(step[1]) === 0) everyHours = Number(step[1]);
  }
  return everyHours ? { minute: Number(minute), everyHours } : undefined;
}

/** DataBrew relative dates for the `dt` filter of a cadence. */
export function windowFilter(cadence: Cadence) {
  return {
    Expression: "(relative_after :window_start) and (relative_before :window_end)",
    ValuesMap: [
      { ValueReference: ":window_start", Value: `-${cadence.everyHours + 1}h` },
      { ValueReference: ":window_end", Value: "-1h" },
    ],
  };
}

/** Worst case, in seconds, from an hour's end until its last raw object lands, unless the caller says. */
export const DEFAULT_DELIVERY_DELAY_SECONDS = 600;
