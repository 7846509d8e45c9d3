import { expect } from 'vitest';
import { parseTemplate, renderTemplate, TemplateError } from '../../src/go/template/index.ts';

/** Bytes from a string whose chars are 0..255, for data that is not UTF-8. */
export const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** One table row: the output ESO writes for a template, or the error it reports. */
export interface Case {
  name: string;
  template: string;
  /** Strings are UTF-8 encoded. */
  data?: Record<string, string | Uint8Array>;
  /** A string is the UTF-8 of the expected output. */
  want?: string | Uint8Array;
  /** The TemplateError's message. */
  error?: string;
}

export const bytes = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : v);

/** Renders as the operator will: parse once under the key's name, then render the data. */
export function render(template: string, data: Case['data'] = {}): Uint8Array {
  const t = parseTemplate('t', template);
  return renderTemplate(t, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, bytes(v)])));
}

export function checkCase(c: Case): void {
  if (c.error !== undefined) {
    expect(() => render(c.template, c.data)).toThrow(TemplateError);
    expect(() => render(c.template, c.data)).toThrow(c.error);
    return;
  }
  // Compared as one char per byte, so that a difference shows where it is.
  const got = Buffer.from(render(c.template, c.data)).toString('latin1');
  expect(got).toBe(Buffer.from(bytes(c.want ?? '')).toString('latin1'));
}
