import { expect } from 'vitest';
import { TemplateError } from '../../src/go/template/index.ts';

// What the two tests of the sprig2 vectors (template-dates, template-random-crypto) share.

/** Which of the sprig2 vectors (template-sprig2-vectors.ts) are random or crypto functions; the rest are dates. */
export const isRandomOrCrypto = (name: string): boolean =>
  /^(rand|shuffle|uuid|bcrypt|htpasswd|derivePassword|genPrivateKey|gen[A-Z]|buildCustomCert|encryptAES|decryptAES)/.test(name);

/**
 * Where Go fails, ours fails too, as a TemplateError with Go's own words after its `at <...>: `
 * part (ours give line:column there instead).
 */
export function expectGoError(goError: string, render: () => unknown): void {
  const goReason = goError.slice(goError.indexOf('>: ') + 3);
  expect(render).toThrow(TemplateError);
  expect(render).toThrow(goReason);
}
