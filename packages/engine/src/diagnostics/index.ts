export { MESSAGES, messageFor, type Code } from './codes.ts';
export { diagnostic, lineCol, formatDiagnostic, codeFrame, CreditbookError, type Diagnostic, type DiagnosticInput, type Severity } from './diagnostic.ts';
