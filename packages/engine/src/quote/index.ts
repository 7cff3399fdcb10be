export { compileCard, compiledCard, type CompiledCard, type Priced, type QuoteRequest, type TraceStep } from './card.ts';
export { quote, type Quote, type QuoteInput, type QuoteOutcome } from './quote.ts';
export { compileTable, priceTable, MAX_TABLE_CELLS, type CardTable, type PriceRow, type PriceTable } from './lookup.ts';
