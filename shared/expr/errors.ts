import type { ExprIssue } from './types.js';

/** An expression that does not parse, type-check or evaluate; `issues` say where and why. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly issues: ExprIssue[],
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}
