/** One line of a line diff: kept, removed from a, or added in b. */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  /** 1-based line numbers in a and b (null on the side the line is not in). */
  a: number | null;
  b: number | null;
}

/** A line diff of two texts (longest common subsequence; rule files are small). */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: length of the LCS of x[i..] and y[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ op: ' ', text: x[i]!, a: i + 1, b: j + 1 });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals before additions, as diff tools show them.
      out.push({ op: '-', text: x[i]!, a: i + 1, b: null });
      i++;
    } else {
      out.push({ op: '+', text: y[j]!, a: null, b: j + 1 });
      j++;
    }
  }
  return out;
}
