/** A named run of values over the periods. */
export interface Series {
  name: string;
  values: number[];
}

/** How much larger one group's peaks must be than the next for the two to get separate axes (a line under a fifth of the height reads as flat). */
export const SPLIT_RATIO = 5;

/**
 * The series to draw on a second (right) value axis, or none: when the series' peaks, largest
 * first, fall by SPLIT_RATIO or more from one to the next, those above that drop go right, so the
 * others keep the left axis to themselves. All-zero series stay left.
 */
export function splitAxes(series: readonly Series[]): Set<string> {
  const peaks = series.map((s) => ({ name: s.name, peak: Math.max(0, ...s.values.filter(Number.isFinite).map(Math.abs)) })).filter((p) => p.peak > 0);
  peaks.sort((a, b) => b.peak - a.peak);
  let cut = -1;
  let widest = SPLIT_RATIO;
  for (let i = 0; i + 1 < peaks.length; i++) {
    const ratio = peaks[i]!.peak / peaks[i + 1]!.peak;
    if (ratio >= widest) {
      widest = ratio;
      cut = i;
    }
  }
  return new Set(cut < 0 ? [] : peaks.slice(0, cut + 1).map((p) => p.name));
}
