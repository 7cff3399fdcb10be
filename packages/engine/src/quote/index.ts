export {
  compileCard,
  compiledCard,
  checkCredits,
  describeRequest,
  MAX_CREDITS,
  type CompiledCard,
  type CreditsCheck,
  type ParameterRead,
  type PriceOptions,
  type Priced,
  type QuoteRequest,
  type TraceStep,
} from './card.ts';
export { quote, type Quote, type QuoteInput, type QuoteOutcome } from './quote.ts';
export { compileTable, priceTable, MAX_TABLE_CELLS, rangeSteps, type CardTable, type PriceRow, type PriceTable } from './lookup.ts';
export { allowedRequests, priceCard, requestGrid, MAX_GRID_REQUESTS, type CardPricing, type PricedCell, type PricingProblem } from './grid.ts';
