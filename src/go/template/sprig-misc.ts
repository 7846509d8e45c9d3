/**
 * sprig v3.3.0's paths (path and, on Linux, path/filepath: see go-path.ts), hello and fail.
 */
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { base, clean, dir, ext, isAbs } from './go-path.ts';

const str = (f: (a: GoString) => GoString | boolean): FuncDef => ({ params: ['string'], call: ([a]) => f(a as GoString) });

export const sprigMisc: Record<string, FuncDef> = {
  base: str(base),
  dir: str(dir),
  clean: str(clean),
  ext: str(ext),
  isAbs: str(isAbs),
  osBase: str(base),
  osClean: str(clean),
  osDir: str(dir),
  osExt: str(ext),
  osIsAbs: str(isAbs),
  hello: { params: [], call: () => 'Hello!' },
  // sprig returns errors.New(msg): the template fails with the message.
  fail: { params: ['string'], call: ([msg]) => {
    throw new FuncError(msg as string);
  } },
};
