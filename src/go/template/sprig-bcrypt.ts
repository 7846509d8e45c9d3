/**
 * sprig's bcrypt and htpasswd: golang.org/x/crypto/bcrypt's GenerateFromPassword at its default
 * cost (10), written `$2a$10$<salt><hash>` as Go writes it, from bcryptjs (whose own salts say
 * `$2b$`, the same algorithm: we give it a `$2a$` salt). As sprig does, failures are returned as
 * the value, not raised. bcryptjs hashes text: a password that is not valid UTF-8 is hashed with
 * U+FFFD in place of each bad byte, where Go hashes the bytes (README).
 */
import { randomBytes } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import type { CallContext } from './budget.ts';
import { toText, type GoString } from './bytes.ts';
import type { FuncDef } from './func-def.ts';

const DEFAULT_COST = 10;

function bcrypt(ctx: CallContext, password: GoString): GoString {
  if (password.length > 72) return 'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes';
  ctx.budget.slowCrypto(1, 'bcrypt');
  const salt = `$2a$${DEFAULT_COST}$${bcryptjs.encodeBase64(randomBytes(16), 16)}`;
  return bcryptjs.hashSync(toText(password), salt);
}

export const sprigBcrypt: Record<string, FuncDef> = {
  bcrypt: { params: ['string'], call: ([p], ctx) => bcrypt(ctx, p as GoString) },
  htpasswd: { params: ['string', 'string'], call: ([user, p], ctx) =>
    ((user as GoString).includes(':') ? `invalid username: ${user as GoString}` : `${user as GoString}:${bcrypt(ctx, p as GoString)}`) },
};
