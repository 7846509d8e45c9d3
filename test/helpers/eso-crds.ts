import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** ESO v2.9.0's own four CRDs (test data, not ours): see that folder's README. */
const FOLDER = 'eso-v2.9.0-crds';
const REPO = resolve(import.meta.dirname, '../..');
const WORKPLACE = '/work/shared/reference';

/**
 * Where ESO's CRDs are, in this order: ESO_CRDS_DIR, the shared reference beside the repository, the workplace's own.
 * A clone elsewhere (CI) sets ESO_CRDS_DIR or has none of them: then this throws, so a test that needs them fails
 * saying where it looked instead of passing without them.
 */
export function esoCrdsDir(env: NodeJS.ProcessEnv = process.env, places = { repo: REPO, workplace: WORKPLACE }): string {
  const candidates = [
    ...(env.ESO_CRDS_DIR ? [resolve(env.ESO_CRDS_DIR)] : []),
    join(places.repo, '..', 'shared', 'reference', FOLDER),
    join(places.workplace, FOLDER),
  ];
  const found = candidates.find(holdsCrds);
  if (!found) {
    throw new Error(`ESO v2.9.0's CRDs not found; looked in ${candidates.join(', ')}. Set ESO_CRDS_DIR to a folder holding `
      + "ESO's published external-secrets.io_*.yaml CRDs (config/crds/bases at tag v2.9.0)");
  }
  return found;
}

function holdsCrds(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => /^external-secrets\.io_.*\.yaml$/.test(f));
}
