// Encodes the PKCS#12 encoder cases of vectors.json with our template engine and has go-pkcs12
// (main.go's decode) read each archive; writes test/data/template-certs/ours-decoded-by-go.json.
//   node tools/template-vectors/encode-ours.ts
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseTemplate, renderTemplate } from '../../src/go/template/index.ts';

const dir = new URL('../../test/data/template-certs/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('vectors.json', dir), 'utf8')) as {
  cases: { name: string; template: string; data: Record<string, string>; want?: string }[];
};
const encoders = vectors.cases.filter((c) => /^(pemToPkcs12|fullPemToPkcs12|pemTruststoreToPKCS12)/.test(c.name) && c.want !== undefined);
const made = encoders.map((c) => {
  const data = Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
  const pfx = Buffer.from(renderTemplate(parseTemplate('t', c.template), data)).toString('latin1');
  return { name: c.name, pfx, password: /"([^"]*)" }}$/.exec(c.template)?.[1] ?? '' };
});
const lines = made.map((m) => JSON.stringify({ Pfx: m.pfx, Password: m.password })).join('\n') + '\n';
const out = execFileSync('go', ['run', '.', 'decode'], { cwd: new URL('.', import.meta.url), input: lines, encoding: 'utf8' });
const results = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
const records = made.map((m, i) => ({ name: m.name, pfx: m.pfx, password: m.password, go: results[i] }));
writeFileSync(new URL('ours-decoded-by-go.json', dir), JSON.stringify(records, null, 1) + '\n');
