/**
 * The one error this module throws. Parse and execution errors both carry the
 * template's name and a 1-based line and column, so that a Ready condition can
 * point the user at the offending spot of `spec.target.template.data`.
 */
export class TemplateError extends Error {
  readonly code = 'TemplateError';
  /** The template's name: in ESO, the key of the Secret being rendered. */
  readonly templateName: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `template "name": line:col:` prefix. */
  readonly reason: string;
  /** A bound of limits.ts was hit: the template, not the data, must change. */
  readonly limit: boolean;

  constructor(templateName: string, line: number, column: number, reason: string, options: { limit?: boolean } = {}) {
    super(`template ${JSON.stringify(templateName)}: ${line}:${column}: ${reason}`);
    this.name = 'TemplateError';
    this.templateName = templateName;
    this.line = line;
    this.column = column;
    this.reason = reason;
    this.limit = options.limit ?? false;
  }
}

/**
 * A function failed. The evaluator catches it and rethrows a TemplateError
 * that says `error calling <name>: <message>` at the call's position, as Go does.
 */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuncError';
  }
}

/** A function (or the evaluator) would go past a bound of limits.ts; never swallowed, as sprig's errors sometimes are. */
export class LimitError extends FuncError {
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

/** 1-based line and column (in code points) of a UTF-16 offset in the source. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = source.indexOf('\n'); i !== -1 && i < end; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = source.charCodeAt(i);
    // The second half of a surrogate pair is part of the same code point.
    if (c < 0xdc00 || c > 0xdfff || i === lineStart) column++;
  }
  return { line, column };
}
