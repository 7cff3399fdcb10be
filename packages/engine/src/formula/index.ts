export { FUNCTIONS, FUNCTION_NAMES, type FormulaFunction } from './functions.ts';
export {
  compileFormula,
  evaluateFormula,
  unknownVariables,
  impureFunctions,
  FORMULA_LIMITS,
  REQUEST_STEPS,
  stepBudget,
  budgetSpent,
  pause,
  pauseBudgetedEvaluations,
  type StepBudget,
  type CompiledFormula,
  type CompileResult,
  type EvaluationResult,
  type FormulaProblem,
} from './compile.ts';
