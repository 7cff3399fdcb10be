import { colLetters, f, isShiftOf, shareFilledRight } from './formula.ts';
import type { Cell, Format, Formula, Highlight } from './types.ts';

/**
 * How many of each pack an auto top-up buys, as formulas, when a pool offers several packs
 * (docs/export.md#several-pack-sizes). The rule is the engine's (`ledger/auto-topup.ts`): among
 * the combinations that cover the need and fit both caps, the cheapest; ties: fewer packs, fewer
 * credits, then the most of the packs listed first; when none covers, the most credits that fit
 * (ties: cheaper, fewer packs, the packs listed first). A sheet cannot search, so it enumerates: each
 * candidate fixes how many of every pack but the smallest it buys (0 up to a bound), and buys the
 * fewest of the smallest that cover what those leave, or as many as the caps allow. Every minimal
 * combination is one of them, so the best candidate is the engine's combination. The candidates are
 * ranked key by key (a MIN per key over those still tied), like the lots' burn rank.
 */

/** Pack sizes a choice enumerates at most; with more, the engine's counts are written as values. */
export const MOST_PACKS_CHOSEN = 3;
/** Candidate combinations at most per choice (beyond it, the engine's counts as values). */
export const MOST_CANDIDATES = 300;

/** A pack offered, with its credits and price as exported (they size the candidates). */
export interface ChoiceOption {
  readonly id: string;
  readonly credits: number;
  readonly price: number;
}

/** What one period's choice buys for: whether it buys, the credits it needs, and what the caps leave (when set). */
export interface ChoiceNeed {
  readonly on: Formula;
  readonly want: Formula;
  readonly packsLeft?: Formula;
  readonly budget?: Formula;
}

/** Where a choice's rows are in the Ledger, and which combinations its candidates are. */
export interface PackChoice {
  readonly ids: readonly string[];
  /** The slot (index into `ids`) whose count covers what a candidate's other packs leave: the smallest pack. */
  readonly free: number;
  /** The most of each other pack a candidate buys (the free slot's entry is unused). */
  readonly bound: readonly number[];
  /** Per candidate, how many of each pack but the free one. */
  readonly tuples: readonly (readonly number[])[];
  readonly first: number;
  readonly rows: number;
  /** The row of the packs bought of each slot, and of what they cost. */
  readonly chosen: readonly number[];
  readonly cost: number;
  /** The row that says whether the candidates reach the need (1) or not (0). */
  readonly enough: number;
  readonly caps: { readonly packs: boolean; readonly money: boolean };
}

/**
 * Lays out a choice among `options` starting at Ledger row `first`, sized for needs up to `most.want`
 * credits and the caps as exported; undefined when it would pass MOST_PACKS_CHOSEN or MOST_CANDIDATES.
 */
export function planChoice(options: readonly ChoiceOption[], most: { want: number; packs?: number; money?: number }, first: number): PackChoice | undefined {
  const n = options.length;
  if (n < 2 || n > MOST_PACKS_CHOSEN) return undefined;
  let free = 0;
  options.forEach((o, s) => {
    if (o.credits <= options[free]!.credits) free = s;
  });
  // A minimal combination holds at most ceil(need ÷ credits) of a pack, and no more than the caps allow.
  const bound = options.map((o, s) => {
    if (s === free) return 0;
    let k = Math.ceil(most.want / Math.max(1, o.credits));
    if (most.packs !== undefined) k = Math.min(k, most.packs);
    if (most.money !== undefined && o.price > 0) k = Math.min(k, Math.floor(most.money / o.price));
    return Math.max(0, k);
  });
  let tuples: number[][] = [[]];
  for (let s = 0; s < n; s++) {
    if (s === free) continue;
    const next: number[][] = [];
    for (const t of tuples) for (let q = 0; q <= bound[s]!; q++) next.push([...t, q]);
    tuples = next;
    if (tuples.length > MOST_CANDIDATES) return undefined;
  }
  const C = tuples.length;
  const caps = { packs: most.packs !== undefined, money: most.money !== undefined };
  // A heading; the need, whether it buys, what the caps leave; whether the candidates reach the need.
  const enough = first + 3 + (caps.packs ? 1 : 0) + (caps.money ? 1 : 0);
  let r = enough + 1;
  r += (n - 1) * C; // the other packs' counts of each candidate
  r += C * 3; // the free pack's count, the credits and the cost of each candidate
  r += (n + 2) * (C + 1); // the keys: cost or credits, packs or cost, credits or packs, then the packs listed first (each with its best)
  r += C; // the chosen candidate
  const chosen = options.map(() => r++);
  const cost = r++;
  return { ids: options.map((o) => o.id), free, bound, tuples, first, rows: r - first, chosen, cost, enough, caps };
}

/** A key far beyond any cost, credits or count: a candidate out of the running. */
const OUT = 1e15;
/** Ranks a candidate that covers nothing by 10^12 − its credits (more credits first), after every covering one. */
const SHORT = 1e12;

/**
 * The rows of a choice: per period where it applies, the need and caps, each candidate's packs,
 * credits, cost and keys, the best of each key among those still tied, and the packs bought.
 */
export function choiceRows(
  c: PackChoice,
  label: { pool: string; title: string; currency: string },
  cols: { horizon: number; col: (i: number) => number },
  /** The period's packs (credits and price of each slot, in `ids` order), or undefined where the choice does not apply. */
  packsAt: (i: number) => { credits: Formula[]; price: Formula[] } | undefined,
  needAt: (i: number) => ChoiceNeed,
): { rows: Map<number, Cell[]>; highlights: Highlight[] } {
  const n = c.ids.length;
  const C = c.tuples.length;
  const others = c.ids.map((_, s) => s).filter((s) => s !== c.free);
  const rows = new Map<number, Cell[]>();
  const text = (v: string): Cell => ({ v, fmt: 'text' });
  // A period's cells are the formulas of its packs and need, and of cells of its own column. A period whose packs and need are
  // an earlier period's filled right (the same inputs, references one column on) has that period's cells filled right: each
  // row holds one formula tree per kind of period, as the Ledger's lines do, not one per cell.
  const packs = Array.from({ length: cols.horizon }, (_, i) => packsAt(i));
  const needs = packs.map((p, i) => (p ? needAt(i) : undefined));
  const like = sameAsEarlier(packs, needs, cols.col);
  const line = (row: number, name: string, unit: string, make: ((i: number) => Cell) | undefined, note?: string) => {
    const cells: Cell[] = [text(label.pool), note ? { v: name, fmt: 'text', note } : text(name), text(unit), { v: null }, { v: null }];
    const made: Cell[] = [];
    for (let i = 0; i < cols.horizon; i++) {
      const j = like[i];
      const of = j === undefined ? undefined : made[j];
      if (!make || j === undefined) made.push({ v: null });
      else if (j === i || !of) made.push(make(i));
      else made.push(of.f ? { ...of, f: { t: 'shift', of: of.f, dc: cols.col(i) - cols.col(j) } } : { ...of });
    }
    cells.push(...made);
    // Rows that read neither the packs nor the need are one formula across kinds of period too.
    shareFilledRight(cells);
    rows.set(row, cells);
  };
  const calc = (formula: Formula, fmt: Format): Cell => ({ v: null, f: formula, fmt });
  rows.set(c.first, [text(label.pool), { v: label.title, fmt: 'text', heading: true }]);
  let r = c.first + 1;
  const at = (row: number, i: number) => f.ref(row, cols.col(i));
  const block = (row: number, i: number) => f.range(row, cols.col(i), row + C - 1, cols.col(i));
  const wantRow = r++;
  line(wantRow, 'Credits to buy at least', 'credits', (i) => calc(needs[i]!.want, 'credits'));
  const onRow = r++;
  line(onRow, 'Buys (1 = yes)', 'flag', (i) => calc(f.fn('IF', needs[i]!.on, f.num(1), f.num(0)), 'integer'));
  const leftRow = c.caps.packs ? r++ : -1;
  if (c.caps.packs) line(leftRow, 'Packs the cap leaves', 'packs', (i) => calc(needs[i]!.packsLeft!, 'integer'));
  const moneyRow = c.caps.money ? r++ : -1;
  if (c.caps.money) line(moneyRow, 'Money the monthly limit leaves', label.currency, (i) => calc(needs[i]!.budget!, 'money'));
  // The candidates reach the engine's choice when each pack's bound is at least what the need (or a cap) could call for.
  const enoughRow = r++;
  line(
    enoughRow,
    'Candidates reach the need (1 = yes)',
    'flag',
    (i) => {
      const p = packs[i]!;
      const tests = others.map((s) => {
        const most: Formula[] = [f.fn('ROUNDUP', f.div(f.fn('MAX', f.num(0), at(wantRow, i)), p.credits[s]!), f.num(0))];
        if (c.caps.packs) most.push(at(leftRow, i));
        if (c.caps.money)
          most.push(f.fn('IF', f.cmp('>', p.price[s]!, f.num(0)), f.fn('ROUNDDOWN', f.div(at(moneyRow, i), p.price[s]!), f.num(0)), f.num(OUT)));
        return f.cmp('<=', most.length === 1 ? most[0]! : f.fn('MIN', ...most), f.num(c.bound[s]!));
      });
      return calc(f.fn('IF', f.fn('AND', ...tests), f.num(1), f.num(0)), 'integer');
    },
    `0 where the need passes what the candidates written at export reach (up to ${others.map((s) => `${c.bound[s]} × ${c.ids[s]}`).join(', ')}): the packs chosen there may not be the engine's. Export again after a large edit of demand, the target or the caps.`,
  );
  // The other packs' counts: fixed per candidate.
  const countRow = new Map<number, number>();
  others.forEach((s, j) => {
    countRow.set(s, r);
    c.tuples.forEach((t, k) => line(r + k, `Candidate ${k + 1}: packs of ${c.ids[s]}`, 'packs', () => ({ v: t[j]!, fmt: 'integer' })));
    r += C;
  });
  const freeRow = r;
  countRow.set(c.free, freeRow);
  r += C;
  const creditsRow = r;
  r += C;
  const costRow = r;
  r += C;
  const fixedPart = (k: number, i: number, of: 'credits' | 'price'): Formula | undefined => {
    const p = packs[i]!;
    const terms = others.flatMap((s, j) => {
      const q = c.tuples[k]![j]!;
      return q === 0 ? [] : [q === 1 ? p[of][s]! : f.mul(f.num(q), p[of][s]!)];
    });
    return terms.length === 0 ? undefined : f.add(...terms);
  };
  const fixedPacks = (k: number) => c.tuples[k]!.reduce((a, b) => a + b, 0);
  for (let k = 0; k < C; k++) {
    // The free pack: the fewest that cover what the other packs leave, or as many as the caps leave.
    line(freeRow + k, `Candidate ${k + 1}: packs of ${c.ids[c.free]}`, 'packs', (i) => {
      const p = packs[i]!;
      const cred = fixedPart(k, i, 'credits');
      const cover = f.fn('MAX', f.num(0), f.fn('ROUNDUP', f.div(cred ? f.sub(at(wantRow, i), cred) : at(wantRow, i), p.credits[c.free]!), f.num(0)));
      const most: Formula[] = [cover];
      if (c.caps.packs) most.push(f.sub(at(leftRow, i), f.num(fixedPacks(k))));
      if (c.caps.money) {
        const cost = fixedPart(k, i, 'price');
        const room = f.fn('ROUND', cost ? f.sub(at(moneyRow, i), cost) : at(moneyRow, i), f.num(6));
        const price = p.price[c.free]!;
        most.push(f.fn('IF', f.cmp('>', price, f.num(0)), f.fn('ROUNDDOWN', f.div(room, price), f.num(0)), cover));
      }
      return calc(most.length === 1 ? cover : f.fn('MAX', f.num(0), f.fn('MIN', ...most)), 'integer');
    });
    line(creditsRow + k, `Candidate ${k + 1}: credits`, 'credits', (i) => {
      const cred = fixedPart(k, i, 'credits');
      const mine = f.mul(at(freeRow + k, i), packs[i]!.credits[c.free]!);
      return calc(cred ? f.add(cred, mine) : mine, 'credits');
    });
    line(costRow + k, `Candidate ${k + 1}: cost`, label.currency, (i) => {
      const cost = fixedPart(k, i, 'price');
      const mine = f.mul(at(freeRow + k, i), packs[i]!.price[c.free]!);
      return calc(f.fn('ROUND', cost ? f.add(cost, mine) : mine, f.num(6)), 'money');
    });
  }
  const packsOf = (k: number, i: number) => (fixedPacks(k) === 0 ? at(freeRow + k, i) : f.add(f.num(fixedPacks(k)), at(freeRow + k, i)));
  const covers = (k: number, i: number) => f.cmp('>=', at(creditsRow + k, i), at(wantRow, i));
  // A candidate whose other packs alone pass a cap is out.
  const fits = (k: number, i: number): Formula | undefined => {
    const tests: Formula[] = [];
    if (c.caps.packs) tests.push(f.cmp('<=', f.num(fixedPacks(k)), at(leftRow, i)));
    if (c.caps.money) {
      const cost = fixedPart(k, i, 'price');
      if (cost) tests.push(f.cmp('>=', f.fn('ROUND', f.sub(at(moneyRow, i), cost), f.num(6)), f.num(0)));
    }
    return tests.length === 0 ? undefined : tests.length === 1 ? tests[0] : f.fn('AND', ...tests);
  };
  // The keys, each best among the candidates still tied on the keys before it.
  type Key = { name: string; best: 'MIN' | 'MAX'; value: (k: number, i: number) => Formula };
  const keys: Key[] = [
    {
      name: 'key 1: cost if it covers, else 10^12 − credits',
      best: 'MIN',
      value: (k, i) => f.fn('IF', covers(k, i), at(costRow + k, i), f.sub(f.num(SHORT), at(creditsRow + k, i))),
    },
    { name: 'key 2: packs if it covers, else cost', best: 'MIN', value: (k, i) => f.fn('IF', covers(k, i), packsOf(k, i), at(costRow + k, i)) },
    { name: 'key 3: credits if it covers, else packs', best: 'MIN', value: (k, i) => f.fn('IF', covers(k, i), at(creditsRow + k, i), packsOf(k, i)) },
    ...c.ids.slice(0, n - 1).map((id, s): Key => ({
      name: `key ${4 + s}: packs of ${id} (the most)`,
      best: 'MAX',
      value: (k, i) => (s === c.free ? at(freeRow + k, i) : f.num(c.tuples[k]![others.indexOf(s)]!)),
    })),
  ];
  let prev: { row: number; best: number } | undefined;
  for (const key of keys) {
    const row = r;
    const best = r + C;
    const out = f.num(key.best === 'MIN' ? OUT : -1);
    for (let k = 0; k < C; k++)
      line(row + k, `Candidate ${k + 1}: ${key.name}`, '', (i) => {
        const still = prev ? f.cmp('=', at(prev.row + k, i), at(prev.best, i)) : fits(k, i);
        return calc(still ? f.fn('IF', still, key.value(k, i), out) : key.value(k, i), 'number');
      });
    line(best, `Best ${key.name}`, '', (i) => calc(f.fn(key.best, block(row, i)), 'number'));
    prev = { row, best };
    r = best + 1;
  }
  const chosenRow = r;
  for (let k = 0; k < C; k++)
    line(chosenRow + k, `Candidate ${k + 1}: chosen (1 = yes)`, 'flag', (i) =>
      calc(f.fn('IF', f.cmp('=', at(prev!.row + k, i), at(prev!.best, i)), f.num(1), f.num(0)), 'integer'),
    );
  r += C;
  if (r !== c.chosen[0] || c.enough !== enoughRow) throw new Error('pack choice: rows out of step with planChoice');
  c.ids.forEach((id, s) =>
    line(c.chosen[s]!, `Packs of ${id} bought`, 'packs', (i) =>
      calc(f.fn('IF', f.cmp('=', at(onRow, i), f.num(1)), f.fn('SUMIFS', block(countRow.get(s)!, i), block(chosenRow, i), f.num(1)), f.num(0)), 'integer'),
    ),
  );
  line(c.cost, 'Cost of the packs bought', label.currency, (i) => {
    const p = packs[i]!;
    return calc(f.add(...c.ids.map((_, s) => f.mul(at(c.chosen[s]!, i), p.price[s]!))), 'money');
  });
  const a = colLetters(cols.col(0));
  const b = colLetters(cols.col(cols.horizon - 1));
  const highlights: Highlight[] = [
    { ref: `${a}${c.enough + 1}:${b}${c.enough + 1}`, formula: `${a}${c.enough + 1}=0`, colour: 'red', note: 'a need beyond the candidates written at export' },
  ];
  return { rows, highlights };
}

/**
 * For each period where a choice applies, the first period whose packs and need it has filled right (itself when none): the
 * periods of one catalog and one kind of need are one formula per row, filled right.
 */
function sameAsEarlier(
  packs: readonly ({ credits: Formula[]; price: Formula[] } | undefined)[],
  needs: readonly (ChoiceNeed | undefined)[],
  col: (i: number) => number,
): (number | undefined)[] {
  const same = (a: Formula | undefined, b: Formula | undefined, dc: number) => (a === undefined ? b === undefined : b !== undefined && isShiftOf(a, b, dc));
  const all = (a: readonly Formula[], b: readonly Formula[], dc: number) => a.length === b.length && a.every((x, k) => isShiftOf(x, b[k]!, dc));
  const kinds: number[] = [];
  return packs.map((p, i) => {
    const need = needs[i];
    if (!p || !need) return undefined;
    const j = kinds.find((k) => {
      const dc = col(i) - col(k);
      const q = packs[k]!;
      const o = needs[k]!;
      return (
        all(p.credits, q.credits, dc) &&
        all(p.price, q.price, dc) &&
        same(need.on, o.on, dc) &&
        same(need.want, o.want, dc) &&
        same(need.packsLeft, o.packsLeft, dc) &&
        same(need.budget, o.budget, dc)
      );
    });
    if (j !== undefined) return j;
    kinds.push(i);
    return i;
  });
}
