/** The pattern is not one Go's regexp.Compile accepts (or, if `unsupported`, one this operator refuses to run). */
export class GoRegexpSyntaxError extends Error {
  /** Go accepts the pattern, but it is beyond what this operator evaluates. */
  readonly unsupported: boolean;
  /**
   * Go's syntax error split as regexp/syntax.Error is: its code ("missing closing )"), and where
   * the part of the pattern it quotes starts (a UTF-8 byte offset, when known), so that a caller
   * whose pattern may be secret can say where without the text.
   */
  readonly code?: string;
  readonly offset?: number;

  constructor(message: string, unsupported = false, detail?: { code: string; offset?: number }) {
    super(message);
    this.name = 'GoRegexpSyntaxError';
    this.unsupported = unsupported;
    this.code = detail?.code;
    this.offset = detail?.offset;
  }
}

/** A match or replacement went past its RegexpBudget. */
export class GoRegexpLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoRegexpLimitError';
  }
}
