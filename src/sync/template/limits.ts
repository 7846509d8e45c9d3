/**
 * Bounds that make every render finish quickly whatever the template says.
 * Go's text/template bounds only template recursion; we prefer a clear
 * TemplateError naming the limit to a reconcile that hangs or runs out of memory.
 */
export const limits = {
  /** Bytes one template may write: a Secret holds at most 1 MiB in all. */
  outputBytes: 1 << 20,
  /** Bytes of one string built by a function (repeat, indent, printf, ...). */
  stringBytes: 4 << 20,
  /** Bytes a list or map would print as (shared parts counted each time). */
  valueBytes: 16 << 20,
  /** Bytes of string arguments and results of all function calls of one render. */
  workBytes: 256 << 20,
  /** Iterations of all range loops of one render together. */
  rangeIterations: 100_000,
  /** Nodes and commands evaluated in one render. */
  steps: 1_000_000,
  /** Nesting of parentheses and control structures in the source. */
  nesting: 100,
  /** Nesting of lists and maps built by fromJson, list or dict. */
  valueDepth: 1_000,
} as const;
