import type { Calendar } from '../ledger/calendar.ts';
import { excelDate } from './timeline.ts';
import type { Cell, Validation } from './types.ts';

/**
 * The bounds the engine itself puts on an input, as the data validation Excel enforces on its cell
 * (error alert "stop"): a validity of at least one period, a pack of at least one credit, a flag of
 * 0 or 1, a share or breakage rate from 0 up to (not including) 1, whole counts of 0 or more.
 */
export function inputValidation(key: string, fmt: Cell['fmt']): Validation {
  if (key.startsWith('validity:')) return { type: 'whole', min: 1, message: 'A validity is a whole number of periods, 1 or more.' };
  if (key === 'auto_topup') return { type: 'whole', min: 0, max: 1, message: 'Enter 1 (on) or 0 (off).' };
  if (key.startsWith('breakage|'))
    return { type: 'decimal', min: 0, max: 0.9999, message: 'An expected breakage rate is from 0 up to (not including) 1 (100 %).' };
  if (key.startsWith('share|')) return { type: 'decimal', min: 0, max: 1, message: 'A share is from 0 to 1 (100 %).' };
  if (/^scheduled:\d+:every$/.test(key))
    return { type: 'whole', min: 0, max: 3660, message: 'Every how many periods it is bought again: a whole number, 1 or more; 0 = once.' };
  if (/^pack:.*:credits/.test(key)) return { type: 'whole', min: 1, message: 'A pack holds a whole number of credits, 1 or more.' };
  if (fmt === 'money') return { type: 'decimal', min: 0, message: 'Enter an amount, 0 or more.' };
  return { type: 'whole', min: 0, message: 'Enter a whole number, 0 or more.' };
}

/** A demand count: whole, 0 or more. */
export const COUNT_VALIDATION: Validation = { type: 'whole', min: 0, message: 'A count of generations is a whole number, 0 or more.' };

/**
 * A first month (or day) that an input puts in force from the first period that starts on or after it
 * (a migration's, a scheduled purchase's): a date, on or after the start of the horizon.
 */
export function dateValidation(cal: Calendar): Validation {
  return { type: 'whole', min: excelDate(cal.date(0)), message: `A date (the ${cal.granularity} it starts), on or after ${cal.date(0)}.` };
}
