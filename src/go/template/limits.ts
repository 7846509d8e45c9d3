/**
 * Bounds that make every render finish quickly and small whatever the template says.
 * Go's text/template bounds only template recursion; we prefer a clear error naming
 * the limit (reason TemplateLimitExceeded, not retried) to a reconcile that hangs or
 * runs out of memory.
 *
 * Sizing: the operator rests at ~200 MiB RSS and must stay under 1.5x that whatever a
 * tenant writes, and a render is synchronous, so it also stalls the event loop (lease
 * renewals, watches) while it runs. So one render holds at most a few MiB and takes at
 * most ~0.1-0.2 s of CPU. Nothing a template makes is useful beyond what a Secret can
 * hold (1 MiB of data in all), so no single string or value needs to be larger.
 *
 * Every string and value is bounded while it is built: a function that would build past
 * a bound stops and fails (template/builder.ts), it does not finish and get measured.
 * Steps, iterations, work and parse nodes are counted in a RenderBudget (budget.ts)
 * that all the templates of one ExternalSecret share, so many keys cannot multiply them.
 */
export const limits = {
  /** Bytes one template may write: a Secret holds at most 1 MiB of data in all. */
  outputBytes: 1 << 20,
  /**
   * Bytes of one string a function builds (repeat, quote, printf, toJson, ...): no larger
   * string could go into a Secret, and building it in JS costs a few times its size.
   */
  stringBytes: 1 << 20,
  /**
   * Bytes a list or map would print as (shared parts counted each time they would print):
   * as for strings, and printing one must not build more than that.
   */
  valueBytes: 1 << 20,
  /**
   * Bytes of strings read, built and parsed by all function calls and parses of one budget,
   * list and map elements counted by their memory (fromJson: ~100 bytes a list, ~260 a map).
   * Bounds both the memory a render can hold (anything live was made within it) and its CPU:
   * the slowest functions (escaping by quote or toJson, non-ASCII case mapping) process
   * ~40-120 MiB/s, so 8 MiB is ~0.1-0.2 s at worst; 8 times the largest Secret leaves real
   * templates ample room.
   */
  workBytes: 8 << 20,
  /** Iterations of all range loops of one budget together (~10 ms of empty iterations). */
  rangeIterations: 100_000,
  /**
   * Nodes and commands evaluated with one budget: ~0.3-0.5 us each once the JIT is warm (up
   * to 1 us before), so ~0.1-0.25 s.
   */
  steps: 250_000,
  /**
   * Parse-tree nodes of all templates parsed with one budget: a node holds ~170 bytes and
   * takes ~2 us to parse, so 20,000 are ~3.5 MiB and ~50 ms. Before this bound, 1 MiB of
   * `{{(((1)))}}` parsed into ~210 MiB of tree in 4 s. Real templates have hundreds.
   */
  parseNodes: 20_000,
  /** Nesting of parentheses and control structures in the source (of one template). */
  nesting: 100,
  /**
   * Template calls ({{template}}, {{block}}) open at once while rendering, each counted
   * with the if, with and range around it: a template calling itself would otherwise run
   * until Go's bound of 100,000 calls, far past what the JS stack holds. Measured with
   * Node's default stack (~984 KiB): ~750 levels of nested ranges, with the deepest
   * parentheses and value printed at the bottom, overflow it; 250 leave a margin of 3 for
   * the frames below a render. Real templates nest a few levels.
   */
  callNesting: 250,
  /** Nesting of lists and maps built by fromJson, list or dict. */
  valueDepth: 1_000,
  /**
   * Entries of the YAML that templateAs KeysAndValues reads, counted as lines and commas
   * before parsing: the YAML parser costs ~20-50 us and ~2 KiB an entry (30,000 lines took
   * 19 s with its quadratic duplicate-key check, ~1 s without), so 5,000 is ~0.1-0.2 s.
   */
  yamlEntries: 5_000,
  /**
   * Hash iterations of the key derivations (PBKDF2, PKCS#12's KDF) of all the PKCS#12 archives
   * one budget reads and writes, each charged before it runs: an archive names its own count, and
   * one asking for 10^9 would stall the event loop for minutes. ~0.1 us each with PBKDF2 and
   * ~1 us with PKCS#12's KDF, so ~0.03-0.3 s. Real archives use 2,000 to 10,000 per derivation
   * and 3 to 6 derivations (go-pkcs12, OpenSSL 3: 2,048; Java: 10,000), so reading one in two
   * templates (tls.crt and tls.key) costs 25,000 to 120,000.
   */
  keyDerivationIterations: 300_000,
  /**
   * Slow cryptography of one budget, in units of roughly 0.1-0.2 s of CPU on the event loop:
   * bcrypt (cost 10), derivePassword (scrypt, N=32768 r=8 p=2, which also holds 32 MiB while it
   * runs) and an RSA-2048 or ECDSA key with a certificate cost 1; a 4096-bit RSA or a DSA key
   * (genPrivateKey) costs 2, and can take up to a second or two in the worst case (key
   * generation draws primes until it finds them). ESO runs these on every refresh too; the bound
   * keeps one ExternalSecret from stalling the operator with many.
   */
  slowCryptoUnits: 4,
} as const;
