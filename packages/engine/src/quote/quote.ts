import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { todayUtc } from '../rules/dates.ts';
import type { DimensionValue } from '../rules/types.ts';
import { compiledCard, type QuoteRequest, type TraceStep } from './card.ts';

export interface QuoteInput {
  /** Rate card id. */
  card: string;
  request: QuoteRequest;
  /** Date the price applies on (YYYY-MM-DD, UTC); today when omitted. */
  on?: string;
  /** A specific version instead of the one in force (drafts included). */
  version?: number;
}

/** The JSON shape of `creditbook quote --json`. */
export interface Quote {
  credits: number;
  card: { id: string; version: number; pool: string; effective_from: string; status: string };
  unit: { name: string; scale: number };
  on: string;
  request: Record<string, DimensionValue>;
  trace: TraceStep[];
}

export type QuoteOutcome = { ok: true; quote: Quote } | { ok: false; error: Diagnostic };

/** Prices one request with the card in force on a date (or a given version), with its trace. */
export async function quote(rules: RuleSet, input: QuoteInput): Promise<QuoteOutcome> {
  const on = input.on ?? todayUtc();
  const fail = (code: 'Q_UNKNOWN_CARD' | 'Q_NO_VERSION' | 'Q_DIMENSION', detail: string): QuoteOutcome => ({ ok: false, error: diagnostic({ code, detail }) });
  const versions = rules.versions('RateCard', input.card);
  if (versions.length === 0) return fail('Q_UNKNOWN_CARD', `'${input.card}' (cards: ${rules.ids('RateCard').join(', ')})`);
  const loaded = input.version === undefined ? rules.inForce('RateCard', input.card, on) : rules.get('RateCard', input.card, input.version);
  if (!loaded) {
    const what =
      input.version === undefined ? `${input.card} on ${on} (first takes effect ${versions[0]?.doc.effective_from})` : `${input.card} v${input.version}`;
    return fail('Q_NO_VERSION', what);
  }
  const card = loaded.doc;
  const priced = await compiledCard(card).price(input.request, { trace: true });
  if (!priced.ok) {
    const d = diagnostic({ code: priced.code, detail: `${priced.detail} (${card.id} v${card.version})`, path: priced.path });
    return { ok: false, error: d };
  }
  return {
    ok: true,
    quote: {
      credits: priced.credits,
      card: { id: card.id, version: card.version, pool: card.pool, effective_from: card.effective_from, status: card.status },
      unit: { name: card.unit?.name ?? 'credits', scale: card.unit?.scale ?? 1 },
      on,
      request: priced.request,
      trace: priced.trace,
    },
  };
}
