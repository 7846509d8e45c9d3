/**
 * Go's net.ParseIP, for sprig's certificate IP SANs: dotted IPv4 (no leading zeros, as Go
 * since 1.17) or IPv6 (with `::` and a trailing dotted IPv4; no zone). The bytes are what Go's
 * x509 writes: 4 for an IPv4 address, IPv4-mapped IPv6 included (To4), else 16.
 */
function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    bytes.push(Number(p));
  }
  return bytes;
}

function parseIPv6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(...v4);
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
      const n = parseInt(p, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const fill = 16 - head.length - tail.length;
  if (halves.length === 2 ? fill < 2 : fill !== 0) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** The address's bytes as x509 encodes it, or undefined where Go's ParseIP gives nil. */
export function parseIP(s: string): Buffer | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return Buffer.from(v4);
  const v6 = s.includes(':') ? parseIPv6(s) : undefined;
  if (v6 === undefined) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return Buffer.from(mapped ? v6.slice(12) : v6);
}
