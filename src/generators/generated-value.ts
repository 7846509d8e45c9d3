/** How ESO's AWS generators write their values: text as UTF-8 bytes, times as Go's strconv.FormatInt(t.Unix(), 10). */

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Whole seconds since 1970, rounded down (also before 1970), as Go's Time.Unix. */
export const unixSeconds = (at: Date): Uint8Array => utf8(String(Math.floor(at.getTime() / 1000)));
