import { randomUUID } from 'node:crypto';
import type { GenerateFn } from './generator.ts';

/** ESO's UUID generator: a random (version 4) UUID under the key "uuid", new at each use; it takes no settings. */
export const uuidGenerator: GenerateFn = async () => {
  const out = Object.create(null) as Record<string, Uint8Array>;
  out['uuid'] = Buffer.from(randomUUID(), 'latin1');
  return out;
};
