import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration, parseDurationNanos } from '../../src/go/duration.ts';
import { formatDuration, formatDurationNanos } from '../helpers/go-duration-format.ts';

// Expected values (nanoseconds, String(), error texts) were checked against Go's time.ParseDuration
// and time.Duration.String().

describe('parseDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['15s', 15_000],
    ['500ms', 500],
    ['0', 0],
    ['0s', 0],
    ['-0', 0],
    ['1.5h', 5_400_000],
    ['2h45m30.5s', 9_930_500],
    ['.5s', 500],
    ['5.s', 5_000],
    ['1m1m1m', 180_000],
    ['+5m', 300_000],
    ['-1h', -3_600_000],
    ['1us', 0.001],
    ['1\u00b5s', 0.001],
    ['1\u03bcs', 0.001],
    ['1ns', 0.000001],
    ['0.3333333333333333333333h', 1_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['9223372036854775807ns', 9223372036854775807n],
    ['-9223372036854775808ns', -9223372036854775808n],
    ['2562047h47m16.854775807s', 9223372036854775807n],
    ['1.9999999999999999999999ns', 2n],
    ['0.1ns', 0n],
    ['1.0000000000000000000001h', 3_600_000_000_000n],
  ])('%s is exactly %d ns', (text, nanos) => {
    expect(parseDurationNanos(text)).toBe(nanos);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1H', 'time: unknown unit "H" in duration "1H"'],
    ['1 h', 'time: unknown unit " h" in duration "1 h"'],
    ['3.6e3s', 'time: unknown unit "e" in duration "3.6e3s"'],
    ['1h\u00e9', 'time: unknown unit "h\\xc3\\xa9" in duration "1h\\xc3\\xa9"'],
    ['"x"', 'time: invalid duration "\\"x\\""'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
    ['100000000000000000000ns', 'time: invalid duration "100000000000000000000ns"'],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    try {
      parseDuration(text);
    } catch (error) {
      expect(error).toBeInstanceOf(DurationError);
      expect((error as DurationError).code).toBe('InvalidDuration');
      expect((error as DurationError).input).toBe(text);
      expect((error as DurationError).message).toBe(message);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [1_800_000, '30m0s'],
    [90_000, '1m30s'],
    [30_000, '30s'],
    [9_930_500, '2h45m30.5s'],
    [500, '500ms'],
    [1.5, '1.5ms'],
    [0.001, '1\u00b5s'],
    [0.000001, '1ns'],
    [0, '0s'],
    [-3_600_000, '-1h0m0s'],
    [360_000_000, '100h0m0s'],
  ])('%d ms prints as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('prints the extremes of int64 nanoseconds', () => {
    expect(formatDurationNanos(9223372036854775807n)).toBe('2562047h47m16.854775807s');
    expect(formatDurationNanos(-9223372036854775808n)).toBe('-2562047h47m16.854775808s');
  });

  const unit = fc.constantFrom('ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h');
  const segment = fc
    .tuple(fc.stringMatching(/^[0-9]{0,6}$/), fc.option(fc.stringMatching(/^[0-9]{0,9}$/)), unit)
    .filter(([whole, fraction]) => whole !== '' || (fraction !== null && fraction !== ''))
    .map(([whole, fraction, u]) => `${whole}${fraction === null ? '' : `.${fraction}`}${u}`);
  const durationText = fc
    .tuple(fc.constantFrom('', '-', '+'), fc.array(segment, { minLength: 1, maxLength: 4 }))
    .map(([sign, parts]) => sign + parts.join(''));

  it('prints what parses back to the same milliseconds', () => {
    fc.assert(
      fc.property(durationText, (text) => {
        const ms = parseDuration(text);
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('prints what parses back to the same nanoseconds, over all of int64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (nanos) => {
        expect(parseDurationNanos(formatDurationNanos(nanos))).toBe(nanos);
      }),
      { numRuns: 2000 },
    );
  });
});
