/** The pattern is not one Go's regexp.Compile accepts (or, if `unsupported`, one this operator refuses to run). */
export class GoRegexpSyntaxError extends Error {
  /** Go accepts the pattern, but it is beyond what this operator evaluates. */
  readonly unsupported: boolean;

  constructor(message: string, unsupported = false) {
    super(message);
    this.name = 'GoRegexpSyntaxError';
    this.unsupported = unsupported;
  }
}

/** A match or replacement went past its RegexpBudget. */
export class GoRegexpLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoRegexpLimitError';
  }
}
