import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/**
 * What the image runs, read from the Dockerfile's exec-form CMD: node's arguments and the script,
 * as the image lays it out (`src/main.js`), and where `make build` puts that script here.
 */
export function imageCommand(): { args: string[]; script: string; builtScript: string } {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
  const argv: string[] = cmd ? JSON.parse(cmd) : [];
  if (argv[0] !== 'node' || argv.length < 2) throw new Error(`the Dockerfile's CMD is not ["node", ..., script]: ${cmd}`);
  const script = argv.at(-1)!;
  return { args: argv.slice(1, -1), script, builtScript: join('dist', script) };
}
