/** Clock formats: `show clock` and the `service timestamps ... datetime msec` prefix of log lines. */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function time(d: Date, msec: boolean): string {
  const base = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return msec ? `${base}.${String(d.getUTCMilliseconds()).padStart(3, '0')}` : base;
}

export interface ClockOptions {
  /** False (default) until the clock is set by NTP or by hand: IOS prefixes '*'. */
  authoritative?: boolean;
}

/** `*02:07:18.850 UTC Mon Mar 1 1993` */
export function renderShowClock(d: Date, opts: ClockOptions = {}): string {
  const star = opts.authoritative ? '' : '*';
  return `${star}${time(d, true)} UTC ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}\n`;
}

/** `*Mar  1 02:07:18.850` (without the colon that follows it in a log line). */
export function formatLogTimestamp(d: Date, opts: ClockOptions & { msec?: boolean } = {}): string {
  const star = opts.authoritative ? '' : '*';
  return `${star}${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d, opts.msec ?? true)}`;
}
