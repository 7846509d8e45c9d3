import { describe, expect, it } from 'vitest';
import { CronError, firstFiringAtOrAfter, parseCron, SearchExhausted, type CronSchedule, type StepBudget } from '../../src/go/cron.ts';

/** The times robfig's Next(start) is asked from, in each row's order. */
const STARTS = ['2026-06-01T21:59:30Z', '2026-02-27T12:00:00Z', '2026-12-31T23:59:59Z', '2027-03-01T00:00:00Z'].map(Date.parse);

/**
 * robfig's Schedule.Next(t): the first firing after t, counted from the next whole second. An
 * `@every` schedule fires its delay after whenever it is asked.
 */
function next(schedule: CronSchedule, t: number): number | undefined {
  const second = Math.floor(t / 1000) * 1000;
  return schedule.kind === 'every' ? second + schedule.delayMs : firstFiringAtOrAfter(schedule, second + 1000);
}

/**
 * Each schedule with robfig's Next from each of STARTS (undefined: Go's zero time, no firing in
 * five years), or the error robfig's parser reports. Expected values from github.com/robfig/cron/v3
 * v3.0.1 under Go 1.26, with the parser ESO builds for syncWindows (Minute | Hour | Dom | Month |
 * Dow | Descriptor); the same comparison over 20,000 generated schedules found no difference.
 */
const CASES: Array<[string, Array<string | undefined> | string]> = [
  ['0 22 * * *', ['2026-06-01T22:00:00Z', '2026-02-27T22:00:00Z', '2027-01-01T22:00:00Z', '2027-03-01T22:00:00Z']],
  ['0 9 * * 1-5', ['2026-06-02T09:00:00Z', '2026-03-02T09:00:00Z', '2027-01-01T09:00:00Z', '2027-03-01T09:00:00Z']],
  ['0 2 * * 6', ['2026-06-06T02:00:00Z', '2026-02-28T02:00:00Z', '2027-01-02T02:00:00Z', '2027-03-06T02:00:00Z']],
  ['*/15 * * * *', ['2026-06-01T22:00:00Z', '2026-02-27T12:15:00Z', '2027-01-01T00:00:00Z', '2027-03-01T00:15:00Z']],
  ['5/20 * * * *', ['2026-06-01T22:05:00Z', '2026-02-27T12:05:00Z', '2027-01-01T00:05:00Z', '2027-03-01T00:05:00Z']],
  ['0 0 1,15 * 1', ['2026-06-08T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-08T00:00:00Z']],
  ['0 0 */2 * 1', ['2026-06-03T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-03T00:00:00Z']],
  ['0 0 */1 * 1', ['2026-06-08T00:00:00Z', '2026-03-02T00:00:00Z', '2027-01-04T00:00:00Z', '2027-03-08T00:00:00Z']],
  ['0 0 ? * 1', ['2026-06-08T00:00:00Z', '2026-03-02T00:00:00Z', '2027-01-04T00:00:00Z', '2027-03-08T00:00:00Z']],
  ['0 0 1 * ?', ['2026-07-01T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-04-01T00:00:00Z']],
  ['0 0 30 2 *', [undefined, undefined, undefined, undefined]],
  ['0 0 29 2 *', ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2028-02-29T00:00:00Z']],
  ['0 0 31 * *', ['2026-07-31T00:00:00Z', '2026-03-31T00:00:00Z', '2027-01-31T00:00:00Z', '2027-03-31T00:00:00Z']],
  ['0 12 * jan,JUL mon-FRI', ['2026-07-01T12:00:00Z', '2026-07-01T12:00:00Z', '2027-01-01T12:00:00Z', '2027-07-01T12:00:00Z']],
  ['0 12 * * sun', ['2026-06-07T12:00:00Z', '2026-03-01T12:00:00Z', '2027-01-03T12:00:00Z', '2027-03-07T12:00:00Z']],
  ['0 0 * * 7', "end of range (7) above maximum (6): 7"],
  ['0 0 * * 0-7', "end of range (7) above maximum (6): 0-7"],
  ['60 * * * *', "end of range (60) above maximum (59): 60"],
  ['0 24 * * *', "end of range (24) above maximum (23): 24"],
  ['0 0 0 * *', "beginning of range (0) below minimum (1): 0"],
  ['0 0 * 13 *', "end of range (13) above maximum (12): 13"],
  ['0 0 * 0 *', "beginning of range (0) below minimum (1): 0"],
  ['*/0 * * * *', "step of range should be a positive number: */0"],
  ['1-2-3 * * * *', "too many hyphens: 1-2-3"],
  ['1/2/3 * * * *', "too many slashes: 1/2/3"],
  ['+5 * * * *', ['2026-06-01T22:05:00Z', '2026-02-27T12:05:00Z', '2027-01-01T00:05:00Z', '2027-03-01T00:05:00Z']],
  ['05 * * * *', ['2026-06-01T22:05:00Z', '2026-02-27T12:05:00Z', '2027-01-01T00:05:00Z', '2027-03-01T00:05:00Z']],
  ['-5 * * * *', "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"],
  ['*/-1 * * * *', "negative number (-1) not allowed: -1"],
  ['*-5 * * * *', ['2026-06-01T22:00:00Z', '2026-02-27T12:01:00Z', '2027-01-01T00:00:00Z', '2027-03-01T00:01:00Z']],
  ['?/10 * * * *', ['2026-06-01T22:00:00Z', '2026-02-27T12:10:00Z', '2027-01-01T00:00:00Z', '2027-03-01T00:10:00Z']],
  [', * * * *', [undefined, undefined, undefined, undefined]],
  ['1,,2 * * * *', ['2026-06-01T22:01:00Z', '2026-02-27T12:01:00Z', '2027-01-01T00:01:00Z', '2027-03-01T00:01:00Z']],
  ['3-1 * * * *', "beginning of range (3) beyond end of range (1): 3-1"],
  ['x * * * *', "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"],
  ['0 0 * * * *', "expected exactly 5 fields, found 6: [0 0 * * * *]"],
  ['0 0 * *', "expected exactly 5 fields, found 4: [0 0 * *]"],
  ['0 0 L * *', "failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax"],
  ['0 0 * * 1#2', "failed to parse int from 1#2: strconv.Atoi: parsing \"1#2\": invalid syntax"],
  ['0 0 15W * *', "failed to parse int from 15W: strconv.Atoi: parsing \"15W\": invalid syntax"],
  ['@daily', ['2026-06-02T00:00:00Z', '2026-02-28T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-02T00:00:00Z']],
  ['@midnight', ['2026-06-02T00:00:00Z', '2026-02-28T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-02T00:00:00Z']],
  ['@hourly', ['2026-06-01T22:00:00Z', '2026-02-27T13:00:00Z', '2027-01-01T00:00:00Z', '2027-03-01T01:00:00Z']],
  ['@weekly', ['2026-06-07T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-03T00:00:00Z', '2027-03-07T00:00:00Z']],
  ['@monthly', ['2026-07-01T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-04-01T00:00:00Z']],
  ['@yearly', ['2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z']],
  ['@annually', ['2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z']],
  ['@reboot', "unrecognized descriptor: @reboot"],
  ['@every 1h', ['2026-06-01T22:59:30Z', '2026-02-27T13:00:00Z', '2027-01-01T00:59:59Z', '2027-03-01T01:00:00Z']],
  ['@every 90m', ['2026-06-01T23:29:30Z', '2026-02-27T13:30:00Z', '2027-01-01T01:29:59Z', '2027-03-01T01:30:00Z']],
  ['@every 1h foo', "failed to parse duration @every 1h foo: time: unknown unit \"h foo\" in duration \"1h foo\""],
  ['@every 500ms', ['2026-06-01T21:59:31Z', '2026-02-27T12:00:01Z', '2027-01-01T00:00:00Z', '2027-03-01T00:00:01Z']],
  ['@every -1h', ['2026-06-01T21:59:31Z', '2026-02-27T12:00:01Z', '2027-01-01T00:00:00Z', '2027-03-01T00:00:01Z']],
  ['@every', "unrecognized descriptor: @every"],
  ['@daily ', "unrecognized descriptor: @daily "],
  ['0  22 * * *', ['2026-06-01T22:00:00Z', '2026-02-27T22:00:00Z', '2027-01-01T22:00:00Z', '2027-03-01T22:00:00Z']],
  [' 0 22 * * *', ['2026-06-01T22:00:00Z', '2026-02-27T22:00:00Z', '2027-01-01T22:00:00Z', '2027-03-01T22:00:00Z']],
  ['\u00a00 22 * * *', ['2026-06-01T22:00:00Z', '2026-02-27T22:00:00Z', '2027-01-01T22:00:00Z', '2027-03-01T22:00:00Z']],
  ['0 22 * * *\u00a0', ['2026-06-01T22:00:00Z', '2026-02-27T22:00:00Z', '2027-01-01T22:00:00Z', '2027-03-01T22:00:00Z']],
  ['0 22 * * 1\u00a0', ['2026-06-01T22:00:00Z', '2026-03-02T22:00:00Z', '2027-01-04T22:00:00Z', '2027-03-01T22:00:00Z']],
  ['MON * * * *', "failed to parse int from MON: strconv.Atoi: parsing \"MON\": invalid syntax"],
  ['0 0 * * mon/2', ['2026-06-03T00:00:00Z', '2026-03-02T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-03T00:00:00Z']],
  ['0 0 * jan-mar/2 *', ['2027-01-01T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-02T00:00:00Z']],
  ['0 0 1-31/10 * *', ['2026-06-11T00:00:00Z', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-03-11T00:00:00Z']],
  ['59 23 31 12 *', ['2026-12-31T23:59:00Z', '2026-12-31T23:59:00Z', '2027-12-31T23:59:00Z', '2027-12-31T23:59:00Z']],
  ['0 0 99999999999999999999 * *', "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \"99999999999999999999\": value out of range"],
  ['0 0 4294967297 * *', "end of range (4294967297) above maximum (31): 4294967297"],
];

describe('parseCron and firstFiringAtOrAfter, as robfig/cron v3 with ESO parser', () => {
  it.each(CASES)('%j', (spec, want) => {
    if (typeof want === 'string') {
      expect(() => parseCron(spec)).toThrow(CronError);
      expect(() => parseCron(spec)).toThrow(want);
      return;
    }
    const schedule = parseCron(spec);
    expect(STARTS.map((t) => next(schedule, t))).toEqual(want.map((w) => (w === undefined ? undefined : Date.parse(w))));
  });

  it('February 29th: found up to the end of the fifth year after the start, as robfig (Go 1.26) finds it', () => {
    const leap = parseCron('0 0 29 2 *');
    expect(next(leap, Date.parse('2096-03-01T00:00:00Z'))).toBeUndefined(); // 2104 is past 2101
    expect(next(leap, Date.parse('2099-03-01T00:00:00Z'))).toBe(Date.parse('2104-02-29T00:00:00Z'));
    expect(next(leap, Date.parse('2098-12-31T23:59:59Z'))).toBe(Date.parse('2104-02-29T00:00:00Z'));
  });

  it('refuses a time zone prefix: ESO schedules are UTC, and its five-field pattern leaves such a schedule four fields', () => {
    expect(() => parseCron('CRON_TZ=Europe/Paris 0 9 * *')).toThrow(/time zone prefix/);
    expect(() => parseCron('TZ=UTC @daily')).toThrow(/time zone prefix/);
  });

  it('a schedule that never fires is answered, not looped on: robfig gives up after five years too', () => {
    expect(firstFiringAtOrAfter(parseCron('0 0 30 2 *') as never, 0)).toBeUndefined();
    expect(firstFiringAtOrAfter(parseCron('0 0 31 4,6,9,11 *') as never, 0)).toBeUndefined();
    expect(firstFiringAtOrAfter(parseCron(', * * * *') as never, 0)).toBeUndefined();
  });

  it('a shared budget is charged one step per day looked at, and a call that finds it spent throws SearchExhausted', () => {
    const leapDay = parseCron('0 0 29 2 *') as never;
    const from = Date.parse('2026-12-03T00:00:00Z');
    const budget: StepBudget = { daysLeft: 800 };
    // 2028-02-29 is the 454th day from 2026-12-03, both counted.
    expect(firstFiringAtOrAfter(leapDay, from, budget)).toBe(Date.parse('2028-02-29T00:00:00Z'));
    expect(budget.daysLeft).toBe(800 - 454);
    expect(() => firstFiringAtOrAfter(leapDay, from, budget)).toThrow(SearchExhausted);
    expect(budget.daysLeft).toBeLessThanOrEqual(0);
  });

  it('firstFiringAtOrAfter counts a firing at the very instant', () => {
    const daily = parseCron('0 22 * * *') as never;
    const at = Date.parse('2026-06-01T22:00:00Z');
    expect(firstFiringAtOrAfter(daily, at)).toBe(at);
    expect(firstFiringAtOrAfter(daily, at + 1)).toBe(at + 86_400_000);
  });
});
