/**
 * Go's time.Location as the sprig date functions see it: a name, and for an instant the zone's
 * abbreviation and offset east of UTC in seconds.
 *
 * Local is UTC, as in ESO's container image (distroless: no TZ variable, no /etc/localtime,
 * so Go falls back to UTC and abbreviates it "UTC"). Named zones (time.LoadLocation) are read,
 * as Go reads them, from the system's tzdata files (tzif.ts); the operator's image has them
 * (Debian's tzdata). Where there are none, they come from Node's ICU data through Intl:
 * offsets agree, and abbreviations where ICU has an English one (UTC, GMT, EST, PDT, ...);
 * elsewhere ICU says "GMT+1" where tzdata says "CET", and we print tzdata's numeric style
 * ("+01"), right for zones without letters (Asia/Dubai "+04"), not for CET or JST. Only the
 * `MST` layout element shows an abbreviation.
 */
import { existsSync } from 'node:fs';
import { readTzif, tzifLookup, ZONEINFO_DIR, type Tzif } from './tzif.ts';

export interface Zone {
  /** The abbreviation, as the `MST` layout element prints it; "" prints the numeric offset. */
  readonly abbr: string;
  /** Seconds east of UTC. */
  readonly offset: number;
}

export interface Location {
  readonly name: string;
  lookup(unixSeconds: bigint): Zone;
}

const utcZone: Zone = { abbr: 'UTC', offset: 0 };

export const UTC: Location = { name: 'UTC', lookup: () => utcZone };

/** Go's Local in ESO's image: UTC by fallback. */
export const LOCAL: Location = { name: 'Local', lookup: () => utcZone };

/** Go shares the unnamed zones of whole hours from -12 to +14 (which `eq` sees: it compares locations by identity). */
const unnamedHours = new Map<number, Location>();

/** time.FixedZone(name, offset): a new location each time, but for the shared unnamed ones. */
export function fixedZone(name: string, offset: number): Location {
  const shared = name === '' && offset % 3600 === 0 && offset >= -12 * 3600 && offset <= 14 * 3600;
  const known = shared ? unnamedHours.get(offset) : undefined;
  if (known !== undefined) return known;
  const zone = { abbr: name, offset };
  const location = { name, lookup: () => zone };
  if (shared) unnamedHours.set(offset, location);
  return location;
}

// Intl accepts instants within ±8.64e15 ms of the epoch; the zone rules at the ends hold beyond.
const MAX_INTL_SECONDS = 8_640_000_000_000n;

/** "GMT+05:30" (Intl's longOffset) as seconds east of UTC. */
function parseLongOffset(text: string): number {
  const m = /^GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(text);
  if (m === null) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -seconds : seconds;
}

/** ICU's short English name, with "GMT+5:30" written as tzdata writes letterless zones ("+0530"). */
function tzdataAbbreviation(short: string): string {
  const m = /^GMT([+-])(\d{1,2})(?::(\d\d))?$/.exec(short);
  if (m === null) return short;
  return `${m[1]}${m[2]!.padStart(2, '0')}${m[3] ?? ''}`;
}

function zoneNamePart(format: Intl.DateTimeFormat, ms: number): string {
  return format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

const intlMs = (unixSeconds: bigint): number =>
  Number(unixSeconds > MAX_INTL_SECONDS ? MAX_INTL_SECONDS : unixSeconds < -MAX_INTL_SECONDS ? -MAX_INTL_SECONDS : unixSeconds) * 1000;

/** A named zone: its tzdata file where there is one, ICU's data (Intl) for what the file leaves open, or for all of it. */
class NamedLocation implements Location {
  readonly name: string;
  readonly #offsets: Intl.DateTimeFormat | undefined;
  readonly #abbreviations: Intl.DateTimeFormat | undefined;
  readonly #tzif: Tzif | undefined;

  /** `intl` false for a file ICU does not know: past its table, the last zone's offset holds. */
  constructor(name: string, tzif: Tzif | undefined, intl: boolean) {
    this.name = name;
    this.#tzif = tzif;
    if (intl) {
      this.#offsets = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
      this.#abbreviations = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
    }
  }

  lookup(unixSeconds: bigint): Zone {
    const tzif = this.#tzif;
    const offset = (): number => {
      if (this.#offsets !== undefined) return parseLongOffset(zoneNamePart(this.#offsets, intlMs(unixSeconds)));
      return tzif!.zones[tzif!.index[tzif!.index.length - 1]!]!.offset;
    };
    if (tzif !== undefined) return tzifLookup(tzif, unixSeconds, offset);
    return { abbr: tzdataAbbreviation(zoneNamePart(this.#abbreviations!, intlMs(unixSeconds))), offset: offset() };
  }
}

/** Whether the system has tzdata files: then a zone is valid exactly when Go would find its file. */
const systemZoneinfo = existsSync(ZONEINFO_DIR);

/**
 * Names looked up so far, valid (a location: at most the few hundred zones there are) or not
 * (null: a template may ask for a bad name in a loop, and each miss would read the disk; at most
 * MAX_MISSES are remembered).
 */
const loaded = new Map<string, Location | null>();
let misses = 0;
const MAX_MISSES = 1000;

function remember(key: string, location: Location | undefined): Location | undefined {
  if (location === undefined) {
    if (++misses > MAX_MISSES) {
      for (const [k, v] of loaded) if (v === null) loaded.delete(k);
      misses = 1;
    }
  }
  loaded.set(key, location ?? null);
  return location;
}

/**
 * time.LoadLocation: "" and "UTC" are UTC, "Local" is Local, and any other name must be a zone
 * of the database, spelled with its case (Go reads a file by that name); undefined if not.
 * `zoneinfo` says whether to read the tzdata files (false: ICU's data alone, as on a system
 * without them).
 */
export function loadLocation(name: string, zoneinfo = systemZoneinfo): Location | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.includes('..')) return undefined;
  const key = `${zoneinfo ? 'file' : 'icu'}:${name}`;
  const known = loaded.get(key);
  if (known !== undefined) return known ?? undefined;
  const tzif = zoneinfo ? readTzif(name) : undefined;
  if (zoneinfo && tzif === undefined) return remember(key, undefined);
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    // Go reads any TZif file, some of which ICU does not know.
    if (tzif === undefined) return remember(key, undefined);
  }
  // ICU ignores case; a file system does not ("america/new_york" is no file).
  if (tzif === undefined && resolved !== name && resolved!.toLowerCase() === name.toLowerCase()) return remember(key, undefined);
  return remember(key, new NamedLocation(name, tzif, resolved !== undefined));
}
