/** Which of the sprig2 vectors (template-sprig2-vectors.ts) are random or crypto functions; the rest are dates. */
export const isRandomOrCrypto = (name: string): boolean =>
  /^(rand|shuffle|uuid|bcrypt|htpasswd|derivePassword|genPrivateKey|gen[A-Z]|buildCustomCert|encryptAES|decryptAES)/.test(name);
