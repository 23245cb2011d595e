// When to retry a failed webhook delivery, and when to give up.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delay before retry n (index n - 1), after n failed attempts. Svix's early steps, then 10 h steps until the
 * total reaches about 3 days, so a receiver that is down over a weekend still gets its messages:
 *
 *   failures  1    2     3      4    5    6     7     8     9     10    11    12
 *   delay     5 s  5 min 30 min 2 h  5 h  10 h  10 h  10 h  10 h  10 h  10 h  give up
 *   next at   5 s  5 min 35 min 2:35 7:35 17:35 27:35 37:35 47:35 57:35 67:35 (h:min after the first attempt)
 *
 * 12 attempts in all; the last lands 67 h 35 min 5 s after the first (2.8 days; 2.25 to 3.4 days with jitter).
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

/** ±20%: spreads retries of a burst that failed together, so a recovering receiver is not hit all at once. */
export const RETRY_JITTER = 0.2;

/** An endpoint failing every attempt for this long is disabled (as Svix does); its owner is told. */
export const ENDPOINT_DISABLE_AFTER_MS = 5 * 24 * HOUR;

/** Retry-After values beyond this are ignored: a receiver may not park our queue for longer than a day. */
const RETRY_AFTER_MAX_MS = 24 * HOUR;

/**
 * Milliseconds to wait after `attempt` failed attempts (1-based), or null to give up and mark the message failed.
 * `random` returns [0, 1) like Math.random; the delay is base × (1 ± 20%), rounded to the millisecond.
 */
export function nextAttemptDelayMs(attempt: number, random: () => number): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
  const base = RETRY_SCHEDULE_MS[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + (random() * 2 - 1) * RETRY_JITTER));
}

/**
 * A receiver's Retry-After (delay-seconds or an HTTP-date) as milliseconds from `now` (epoch ms), or null when
 * absent, malformed, in the past or more than 24 h away. The caller waits for the longer of this and the schedule.
 */
export function retryAfterMs(header: string | undefined, now: number): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  let ms: number | null;
  if (/^\d+$/.test(value)) ms = Number(value) * SECOND;
  else {
    const at = parseHttpDate(value, now);
    ms = at === null ? null : at - now;
  }
  if (ms === null || ms < 0 || ms > RETRY_AFTER_MAX_MS) return null;
  return ms;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
// The three forms RFC 9110 §5.6.7 requires recipients to accept. Date.parse is not used: it accepts far more
// (e.g. "-5" as a year), which would turn garbage into a delay.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ([A-Z][a-z]{2}) (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(
  `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d{2})-([A-Z][a-z]{2})-(\\d{2}) ${TIME} GMT$`,
);
const ASCTIME = new RegExp(`^${DAY} ([A-Z][a-z]{2}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

function parseHttpDate(value: string, now: number): number | null {
  let m = IMF_FIXDATE.exec(value);
  if (m) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850.exec(value);
  if (m) {
    // Two-digit years: RFC 9110 reads one that looks over 50 years ahead as the past year with those digits.
    const yy = Number(m[3]);
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME.exec(value);
  if (m) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return null;
}

function utc(
  year?: string,
  month?: string,
  day?: string,
  h?: string,
  min?: string,
  s?: string,
): number | null {
  const monthIndex = MONTHS.indexOf(month ?? "");
  const d = Number(day?.trim());
  const hour = Number(h);
  const minute = Number(min);
  const second = Number(s);
  if (monthIndex < 0 || d < 1 || d > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const at = Date.UTC(Number(year), monthIndex, d, hour, minute, Math.min(second, 59));
  // Reject dates like 31 Feb, which Date.UTC would roll over into March.
  return new Date(at).getUTCDate() === d ? at : null;
}
