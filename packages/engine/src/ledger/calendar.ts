import { dayIndex, dayLabel, daysInMonth, monthIndex, monthLabel } from '../rules/dates.ts';
import type { Validity } from '../rules/types.ts';

/** Average days in a month: converts a validity in days to monthly periods. */
export const DAYS_PER_MONTH = 30.4375;

/** Periods of a scenario: monthly (YYYY-MM) or daily (YYYY-MM-DD), indexed 0..horizon-1. */
export interface Calendar {
  readonly granularity: 'month' | 'day';
  readonly horizon: number;
  label(i: number): string;
  /** Index of a period label relative to the start (may be outside 0..horizon-1). */
  index(label: string): number;
  /** First calendar date of period i. */
  date(i: number): string;
  /** Calendar month 1..12 of period i. */
  month(i: number): number;
  /** Days in period i. */
  days(i: number): number;
  /** True when a monthly subscription bills and grants in period i. */
  billingPeriod(i: number): boolean;
  /** How many periods a lot granted in period i stays valid (≥ 1). */
  validPeriods(v: Validity, granted: number): number;
}

/** An end of validity as a source writes it: the first instant no longer usable (exclusive), or the last period usable (inclusive). */
export interface ValidUntil {
  readonly expires_at?: string | undefined;
  readonly last_valid?: string | undefined;
}

/**
 * The one place an end of validity becomes a last valid period (an index of `cal`): `expires_at`
 * D is exclusive, so the lot is usable through the day before D, and its last valid period is the
 * period holding that day (on a monthly calendar, expires_at 2025-04-01 is last valid 2025-03 and
 * 2025-04-15 is 2025-04); `last_valid` is that period itself (on a daily calendar a month means its
 * last day). Undefined when neither is given.
 */
export function lastValidOf(cal: Calendar, until: ValidUntil): number | undefined {
  if (until.expires_at !== undefined) {
    const day = dayLabel(dayIndex(until.expires_at) - 1);
    return cal.index(cal.granularity === 'month' ? day.slice(0, 7) : day);
  }
  const lv = until.last_valid;
  if (lv === undefined) return undefined;
  if (cal.granularity === 'month') return cal.index(lv.slice(0, 7));
  if (lv.length === 7) return cal.index(dayLabel(dayIndex(`${lv}-01`) + daysInMonth(Number(lv.slice(0, 4)), Number(lv.slice(5, 7))) - 1));
  return cal.index(lv);
}

/** Calendars made, by start, horizon and granularity: every run of a scenario and its variants has the same one. */
const calendars = new Map<string, Calendar>();

/** The calendar of a scenario (immutable: runs share it, and every cache keyed on it). */
export function calendar(start: string, horizon: number, granularity: 'month' | 'day'): Calendar {
  const key = `${start}\u0000${horizon}\u0000${granularity}`;
  let cal = calendars.get(key);
  if (!cal) {
    cal = withLabels(makeCalendar(start, horizon, granularity));
    // Keep the memory bounded: a store has a few dozen calendars, a portfolio one per join period.
    if (calendars.size >= 1024) calendars.clear();
    calendars.set(key, cal);
  }
  return cal;
}

/** Labels, dates and the index of each label of the horizon computed once. */
function withLabels(cal: Calendar): Calendar {
  const labels: string[] = [];
  const dates: string[] = [];
  const at = new Map<string, number>();
  for (let i = 0; i < cal.horizon; i++) {
    labels.push(cal.label(i));
    dates.push(cal.date(i));
    at.set(labels[i]!, i);
  }
  return {
    ...cal,
    label: (i) => (i >= 0 && i < labels.length ? labels[i]! : cal.label(i)),
    index: (label) => at.get(label) ?? cal.index(label),
    date: (i) => (i >= 0 && i < dates.length ? dates[i]! : cal.date(i)),
  };
}

function makeCalendar(start: string, horizon: number, granularity: 'month' | 'day'): Calendar {
  if (granularity === 'month') {
    const s = monthIndex(start);
    return {
      granularity,
      horizon,
      label: (i) => monthLabel(s + i),
      index: (label) => monthIndex(label) - s,
      date: (i) => `${monthLabel(s + i)}-01`,
      month: (i) => ((s + i) % 12) + 1,
      days: (i) => {
        const m = s + i;
        return daysInMonth(Math.floor(m / 12), (m % 12) + 1);
      },
      billingPeriod: () => true,
      validPeriods: (v) => (v.months !== undefined ? v.months : Math.max(1, Math.round((v.days ?? 1) / DAYS_PER_MONTH))),
    };
  }
  const s = dayIndex(start);
  const startDay = Number(start.slice(8, 10));
  const label = (i: number) => dayLabel(s + i);
  return {
    granularity,
    horizon,
    label,
    index: (l) => (l.length === 7 ? dayIndex(`${l}-01`) : dayIndex(l)) - s,
    date: label,
    month: (i) => Number(label(i).slice(5, 7)),
    days: () => 1,
    billingPeriod: (i) => {
      if (i === 0) return true;
      const d = label(i);
      const day = Number(d.slice(8, 10));
      const last = daysInMonth(Number(d.slice(0, 4)), Number(d.slice(5, 7)));
      return day === Math.min(startDay, last);
    },
    validPeriods: (v, granted) => {
      if (v.days !== undefined) return v.days;
      const from = label(granted);
      const y = Number(from.slice(0, 4));
      const m = Number(from.slice(5, 7)) - 1 + (v.months ?? 1);
      const ty = y + Math.floor(m / 12);
      const tm = (m % 12) + 1;
      const td = Math.min(Number(from.slice(8, 10)), daysInMonth(ty, tm));
      const target = `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(td).padStart(2, '0')}`;
      return Math.max(1, dayIndex(target) - dayIndex(from));
    },
  };
}
