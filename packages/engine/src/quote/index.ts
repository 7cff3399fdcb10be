export { compileCard, compiledCard, type CompiledCard, type Priced, type QuoteRequest, type TraceStep } from './card.ts';
export { quote, type Quote, type QuoteInput, type QuoteOutcome } from './quote.ts';
export { compileTable, MAX_TABLE_CELLS, type CardTable } from './lookup.ts';
