import { RE2JS } from 're2js';
import type { ExprIssue } from './types.js';

/**
 * Accepts only regexes RE2 can run in linear time: no backreferences, no lookaround. (The
 * process also runs V8's backtrack fallback engine; this keeps patterns inside what it handles.)
 */
export function checkRegex(pattern: string): ExprIssue[] {
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    return [{ message: `regex "${pattern}" is not allowed: ${reason} (backreferences and lookaround are not supported)` }];
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    // V8 repeats the pattern as a /literal/; the reason alone reads better after the quote.
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return [{ message: `regex "${pattern}" is invalid: ${reason}` }];
  }
  return [];
}
