import { describe, expect, it } from 'vitest';
import { parseTzif } from '../../src/go/time/tzif.ts';
import { loadLocation, LOCAL, UTC } from '../../src/go/time/zone.ts';

/** Zones beyond what the Go vectors cover (template-dates.test.ts checks tzdata's against Go). */
describe('time zones', () => {
  it('"", UTC and Local are built in; Local is UTC, as in ESO\'s image', () => {
    expect(loadLocation('')).toBe(UTC);
    expect(loadLocation('UTC')).toBe(UTC);
    expect(loadLocation('Local')).toBe(LOCAL);
    expect(LOCAL.lookup(1_700_000_000n)).toEqual({ abbr: 'UTC', offset: 0 });
  });

  it('names Go would not open are no zone, with or without tzdata files', () => {
    for (const zoneinfo of [true, false]) {
      for (const name of ['america/new_york', '../etc/passwd', '/etc/localtime', 'Nowhere/Invented', 'Europe/Berlin\x00']) {
        expect(loadLocation(name, zoneinfo), `${name} (${zoneinfo})`).toBeUndefined();
      }
    }
  });

  it('without tzdata files, ICU gives the offsets and English abbreviations, and tzdata\'s numeric style otherwise', () => {
    expect(loadLocation('America/New_York', false)!.lookup(1_700_000_000n)).toEqual({ abbr: 'EST', offset: -5 * 3600 });
    expect(loadLocation('America/New_York', false)!.lookup(1_720_000_000n)).toEqual({ abbr: 'EDT', offset: -4 * 3600 });
    expect(loadLocation('Asia/Dubai', false)!.lookup(1_700_000_000n)).toEqual({ abbr: '+04', offset: 4 * 3600 });
    expect(loadLocation('Asia/Kolkata', false)!.lookup(1_700_000_000n)).toEqual({ abbr: '+0530', offset: 5.5 * 3600 });
    // tzdata says CET: the known difference where the image had no tzdata (README).
    expect(loadLocation('Europe/Berlin', false)!.lookup(1_700_000_000n)).toEqual({ abbr: '+01', offset: 3600 });
  });

  it('many bad names stay bad once their memory is cleared', () => {
    for (let i = 0; i < 2_500; i++) expect(loadLocation(`Nowhere/Z${i}`)).toBeUndefined();
    expect(loadLocation('Nowhere/Z1')).toBeUndefined();
    expect(loadLocation('Europe/Berlin')!.lookup(1_700_000_000n).offset).toBe(3600);
  });

  it('a file that is not TZif, or is cut short, is no zone', () => {
    expect(parseTzif(Buffer.from('not a zone file at all, not even close to one'))).toBeUndefined();
    const header = Buffer.alloc(44);
    header.write('TZif2', 0, 'latin1');
    header.writeUInt32BE(5, 20 + 3 * 4); // five transitions promised, none there
    header.writeUInt32BE(1, 20 + 4 * 4);
    expect(parseTzif(header)).toBeUndefined();
  });
});
