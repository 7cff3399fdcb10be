import { compileCard, requestGrid, type RateCard } from '@creditbook/engine';
import type { Combo } from './choices.ts';

export type { Combo };

/**
 * Every request a card's dimensions and constraints allow (as its price grid lists them), so a form
 * can offer only valid combinations: the modes, durations and resolutions of the chosen model.
 */
export function allowedCombos(card: RateCard): Combo[] {
  const compiled = compileCard(card);
  return requestGrid(card).filter((r) => compiled.normalize(r).ok);
}
