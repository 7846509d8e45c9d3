/**
 * The one reader of the Dockerfile and its .dockerignore, for `make image-context`, the tests and the bench:
 * stages and their instructions as data. Parsing is dockerfile-ast's (the parser of VS Code's Docker
 * language server: continuation lines, exec form, flags); matching is @balena/dockerignore's (Docker's rules).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, Env, From, JSONInstruction, ModifiableInstruction } from 'dockerfile-ast';

const root = join(import.meta.dirname, '..');

export interface DockerInstruction {
  keyword: string;
  /** 1-based, for messages. */
  line: number;
  /** The exec form's strings, or the shell form's words (flags apart). */
  args: string[];
  /** The shell form as written, flags apart and continuation lines joined: a RUN's command. */
  text: string;
  /** The exec (JSON) form: `["node", "src/main.js"]`. */
  exec: boolean;
  /** `--name=value` flags, e.g. COPY's --from or RUN's --mount. */
  flags: Record<string, string>;
  /** ENV's variables. */
  env: Record<string, string>;
}

export interface DockerStage {
  /** `AS name`, when it has one. */
  name: string | undefined;
  /** FROM's image as written, e.g. `node:24.21.0-bookworm-slim@sha256:...`. */
  image: string;
  /** FROM's tag and digest, when the image names them. */
  tag: string | undefined;
  digest: string | undefined;
  instructions: DockerInstruction[];
}

export function readDockerfile(path = join(root, 'Dockerfile')): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const i of DockerfileParser.parse(readFileSync(path, 'utf8')).getInstructions()) {
    if (i instanceof From) {
      stages.push({ name: i.getBuildStage() ?? undefined, image: i.getImage() ?? '', tag: i.getImageTag() ?? undefined, digest: i.getImageDigest() ?? undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${path}:${i.getRange().start.line + 1}: ${i.getKeyword()} before any FROM`);
    const exec = i instanceof JSONInstruction && i.getJSONStrings().length > 0;
    stage.instructions.push({
      keyword: i.getKeyword(),
      line: i.getRange().start.line + 1,
      args: exec ? (i as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue()) : i.getArguments().map((a) => a.getValue()),
      text: i.getArgumentsContent() ?? '',
      exec,
      flags: i instanceof ModifiableInstruction ? Object.fromEntries(i.getFlags().map((f) => [f.getName(), f.getValue() ?? ''])) : {},
      env: i instanceof Env ? Object.fromEntries(i.getProperties().map((p) => [p.getName(), p.getValue() ?? ''])) : {},
    });
  }
  return stages;
}

/** The image: the last stage. */
export const imageStage = (stages = readDockerfile()): DockerStage => stages.at(-1)!;

/** A stage's instructions of one keyword. */
export const instructionsOf = (stage: DockerStage, keyword: string): DockerInstruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);

/** Whether `docker build` leaves a path (relative to the repository, `/`-separated) out of the build context. */
export function excludedFromBuildContext(path = join(root, '.dockerignore')): (relativePath: string) => boolean {
  // `.default`: a CommonJS module whose types declare an ES default export; it is the same function.
  const rules = dockerignore.default().add(existsSync(path) ? readFileSync(path, 'utf8') : '');
  return (relativePath) => rules.ignores(relativePath);
}
