export { checkCel, evaluateCel, evaluateCelBool, regexSelfTest, stepsReadBy, toPlain } from './cel.js';
export { ExpressionError } from './errors.js';
export { matchersToCel, parseMatchers, type Matcher } from './matchers.js';
export { checkRegex } from './regex-guard.js';
export { checkTemplate, hasTemplate, renderTemplate } from './template.js';
export { checkUrlTemplate, renderUrlTemplate } from './url-template.js';
export { checkPromqlTemplate, renderPromqlTemplate } from './promql-template.js';
export type { ExprIssue, ExprScope, ExprVars, ExpressionRef } from './types.js';
export { EVAL_LIMITS, EvalBudget } from './budget.js';
