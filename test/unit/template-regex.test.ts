import { describe, expect, it } from 'vitest';
import { RenderBudget } from '../../src/go/template/index.ts';
import { COMPILE_BYTES_PER_INSTRUCTION } from '../../src/go/template/sprig-regex.ts';
import { failure, renderWith } from '../helpers/template-budget.ts';

/**
 * sprig's regexp functions over a pattern that may be secret data, and what compiling one costs.
 * Go quotes the pattern (or its failing part) in the error and recompiles it on every call; we
 * give the byte offset instead, and compile each distinct pattern once per budget, charged first.
 */
describe('regexp syntax errors do not quote the pattern', () => {
  const secret = 'hunter2-SECRET';

  it.each([
    ['mustRegexMatch', `{{ mustRegexMatch .v "x" }}`, `(${secret}`, 'error calling mustRegexMatch: error parsing regexp: missing closing ) at byte 0 of the pattern'],
    ['regexFind', `{{ regexFind .v "x" }}`, `${secret}[`, 'error calling regexFind: regexp: Compile: error parsing regexp: missing closing ] at byte 14 of the pattern'],
    ['mustRegexReplaceAll', `{{ mustRegexReplaceAll .v "x" "y" }}`, `${secret}\\q`, 'error calling mustRegexReplaceAll: error parsing regexp: invalid escape sequence at byte 14 of the pattern'],
    ['regexSplit', `{{ regexSplit .v "x" -1 }}`, `é${secret}\\p{Nope}`, 'error calling regexSplit: regexp: Compile: error parsing regexp: invalid character class range at byte 16 of the pattern'],
  ])('%s', (_name, template, v, message) => {
    const { error } = failure(template, { v });
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('hunter2');
  });

  it('regexMatch still says false for a bad pattern', () => {
    expect(renderWith(new RenderBudget(), '{{ regexMatch .v "x" }}', { v: `(${secret}` })).toBe('false');
  });
});

describe('regexp compiles', () => {
  const pattern = '[\\\\p{L}\\\\p{N}]{100}';

  it('are charged by their size before they are built, once per pattern and budget', () => {
    const once = new RenderBudget();
    renderWith(once, `{{ regexMatch "${pattern}" "x" }}`);
    // Go's estimate of `[...]{100}` is 100 instructions.
    expect(once.work).toBeGreaterThanOrEqual(100 * COMPILE_BYTES_PER_INSTRUCTION);
    const twice = new RenderBudget();
    renderWith(twice, `{{ regexMatch "${pattern}" "x" }}{{ regexMatch "${pattern}" "x" }}`);
    // The second call pays for its search only.
    expect(twice.work - once.work).toBeLessThan(10 * COMPILE_BYTES_PER_INSTRUCTION);
  });

  it('a bad pattern is compiled and charged once too', () => {
    const once = new RenderBudget();
    renderWith(once, `{{ regexMatch "${pattern}(" "x" }}`);
    const many = new RenderBudget();
    renderWith(many, `{{ range 1000 }}{{ regexMatch "${pattern}(" "x" }}{{ end }}`);
    // 999 more calls cost less than one more compile of the pattern (100 instructions) would.
    expect(many.work - once.work).toBeLessThan(100 * COMPILE_BYTES_PER_INSTRUCTION);
  });

  it('stop at the work bound when distinct patterns are built in a loop', () => {
    const template = '{{ range $i := until 100000 }}{{ $x := regexMatch (printf "(?:a|b){%d}" (add 500 (mod $i 500))) "x" }}{{ end }}';
    const { error, budget } = failure(template);
    expect(error.message).toContain('error calling regexMatch: functions processed more than the limit');
    // Each compile is ~1,000-1,500 instructions: a few thousand would be ~7 MiB; far fewer ran.
    expect(budget.iterations).toBeLessThan(100);
  });
});
