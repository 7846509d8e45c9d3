/**
 * Go's time.Location as the sprig date functions see it: a name, and for an instant the zone's
 * abbreviation and offset east of UTC in seconds.
 *
 * Local is UTC, as in ESO's container image (distroless: no TZ variable, no /etc/localtime,
 * so Go falls back to UTC and abbreviates it "UTC"). Named zones (time.LoadLocation) come from
 * Node's ICU time-zone data through Intl, not from tzdata files as in Go: offsets agree, and
 * abbreviations agree where ICU has an English one (UTC, GMT, EST, PDT, ...); elsewhere ICU
 * says "GMT+1" where tzdata says "CET", and we print tzdata's numeric style ("+01"), which
 * matches tzdata for the many zones that have no letters (Asia/Dubai "+04") but not for
 * Europe's CET/EET or Asia's IST/JST. Only the `MST` layout element shows an abbreviation.
 */

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

/** time.FixedZone(name, offset). */
export function fixedZone(name: string, offset: number): Location {
  const zone = { abbr: name, offset };
  return { name, lookup: () => zone };
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

class IntlLocation implements Location {
  readonly name: string;
  readonly #offsets: Intl.DateTimeFormat;
  readonly #abbreviations: Intl.DateTimeFormat;

  constructor(name: string) {
    this.name = name;
    this.#offsets = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
    this.#abbreviations = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
  }

  lookup(unixSeconds: bigint): Zone {
    const clamped = unixSeconds > MAX_INTL_SECONDS ? MAX_INTL_SECONDS : unixSeconds < -MAX_INTL_SECONDS ? -MAX_INTL_SECONDS : unixSeconds;
    const ms = Number(clamped) * 1000;
    return { abbr: tzdataAbbreviation(zoneNamePart(this.#abbreviations, ms)), offset: parseLongOffset(zoneNamePart(this.#offsets, ms)) };
  }
}

/** Zones loaded so far: at most the few hundred names ICU knows, each two formatters. */
const loaded = new Map<string, Location>();

/**
 * time.LoadLocation: "" and "UTC" are UTC, "Local" is Local, and any other name must be a zone
 * of the database, spelled with its case (Go reads a file by that name); undefined if not.
 */
export function loadLocation(name: string): Location | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.includes('..')) return undefined;
  const known = loaded.get(name);
  if (known !== undefined) return known;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // ICU ignores case; a file system does not ("america/new_york" is no file).
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return undefined;
  const location = new IntlLocation(name);
  loaded.set(name, location);
  return location;
}
