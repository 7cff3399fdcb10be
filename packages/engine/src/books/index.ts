export { books, booksOfLots, combineBooks, centsText, type BooksInput, type CombinedBooks } from './books.ts';
export { bookLots, categoryOf, isPaid, runCalendar } from './lots.ts';
export { periodTerms, rateOf, breakageRate } from './terms.ts';
export { recognisedToDate, usageToDate, schedule, type Step } from './recognise.ts';
export { journalCsv, JOURNAL_COLUMNS } from './journal.ts';
export type { Account, BookLot, BooksLot, BooksOptions, BooksResult, BooksRow, BooksTotals, JournalLine, BooksCategory, PeriodTerms } from './types.ts';
export { booksWorkbook } from './workbook.ts';
