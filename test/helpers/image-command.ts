import { join } from 'node:path';
import { imageStage, instructionsOf } from '../../scripts/dockerfile.ts';

/**
 * What the image runs, from the Dockerfile's exec-form ENTRYPOINT and CMD: the entrypoint (tini), node's arguments
 * and the script as the image lays it out (`src/main.js`), and where `make build` puts that script here.
 */
export function imageCommand(): { entrypoint: string[]; args: string[]; script: string; builtScript: string } {
  const stage = imageStage();
  const exec = (keyword: string): string[] => {
    const instruction = instructionsOf(stage, keyword).at(-1);
    if (instruction && !instruction.exec) throw new Error(`the Dockerfile's ${keyword} is not in exec form: ${instruction.text}`);
    return instruction?.args ?? [];
  };
  const argv = exec('CMD');
  if (argv[0] !== 'node' || argv.length < 2) throw new Error(`the Dockerfile's CMD is not ["node", ..., script]: ${JSON.stringify(argv)}`);
  const script = argv.at(-1)!;
  return { entrypoint: exec('ENTRYPOINT'), args: argv.slice(1, -1), script, builtScript: join('dist', script) };
}
