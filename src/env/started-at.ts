/**
 * `BUBU_STARTED_AT`: an RFC 3339 timestamp, read as Go's `time.Parse(time.RFC3339, …)` reads it
 * (which also accepts RFC3339Nano).
 * @module
 */

/** A parsed start time. `date` has millisecond precision; `epochNanos` keeps every digit. */
export interface StartedAt {
  readonly date: Date;
  readonly epochNanos: bigint;
}

// Mirrors what Go's RFC3339 parser accepts (checked against Go 1.26): a 1–2 digit hour, a '.' or
// ',' fraction of any length (digits past the ninth are ignored), `Z` or `±hh:mm` (uppercase
// `T` and `Z` only; the offset itself is not range-checked).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC3339/RFC3339Nano timestamp. Returns a reason string when it is invalid
 * (`day out of range`, `not RFC3339`, …).
 */
export function parseRfc3339(value: string): StartedAt | string {
  const m = RFC3339.exec(value);
  if (!m) return "not an RFC3339 timestamp (expected e.g. 2006-01-02T15:04:05Z or 2006-01-02T15:04:05.999999999+07:00)";
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12) return "month out of range";
  if (day < 1 || day > daysIn(year, month)) return "day out of range";
  if (hour > 23) return "hour out of range";
  if (minute > 59) return "minute out of range";
  if (second > 59) return "second out of range";
  const fraction = (m[7] ?? "").slice(0, 9).padEnd(9, "0");
  let offsetSeconds = 0;
  if (m[8] === undefined) {
    const sign = m[9] === "-" ? -1 : 1;
    offsetSeconds = sign * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const epochSeconds = BigInt(d.getTime() / 1000 - offsetSeconds);
  const epochNanos = epochSeconds * 1_000_000_000n + BigInt(fraction);
  // Floor division so pre-1970 instants round toward the past.
  const ms = epochNanos >= 0n ? epochNanos / 1_000_000n : -((-epochNanos + 999_999n) / 1_000_000n);
  return { date: new Date(Number(ms)), epochNanos };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
