/**
 * `make image-context [IMAGE_CONTEXT=folder]`: what the image holds under its WORKDIR, laid out in a folder without a
 * Docker engine, by following the Dockerfile itself (scripts/dockerfile.ts reads it): its COPY instructions, from the
 * build context (.dockerignore applied) or an earlier stage, and its RUN steps that write under WORKDIR (`npm ci`,
 * `npx tsc`), run for real in that stage's folder. So a file the Dockerfile forgets is missing here too, and only
 * production dependencies are installed. The base image is taken to hold nothing under WORKDIR (node's has no /app).
 * The folder must be outside the repository, where Node cannot reach the repository's node_modules. Prints the
 * production file set's size: what the image holds besides Node and Debian.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { excludedFromBuildContext, readDockerfile, type DockerInstruction, type DockerStage } from './dockerfile.ts';

const root = join(import.meta.dirname, '..');

export interface ImageContext {
  dir: string;
  files: number;
  bytes: number;
  /** The packages under node_modules (`name` or `@scope/name`, with what they hold), largest first. */
  packages: { name: string; bytes: number }[];
}

/** Instructions that put nothing under WORKDIR (metadata of the image). */
const METADATA = new Set(['USER', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'LABEL', 'STOPSIGNAL']);
/** RUN commands that change only the system outside WORKDIR (Debian packages), so here they are skipped. */
const SYSTEM_COMMAND = /^(apt-get\s|rm -rf \/var\/lib\/apt\/lists\/\*$)/;
/** RUN commands that write under WORKDIR, run here as the build would. */
const WORKDIR_COMMAND = /^(npm|npx|node)\s/;

interface StageFolder {
  folder: string;
  /** The stage's WORKDIR in the image, which `folder` stands for. */
  workdir: string | undefined;
  env: Record<string, string>;
}

export function buildImageContext(dir: string, log: (line: string) => void = () => {}): ImageContext {
  const target = resolve(dir);
  if (`${target}${sep}`.startsWith(`${root}${sep}`)) throw new Error(`${target} is inside the repository, whose node_modules Node would find from there: pick a folder outside it`);
  mkdirSync(target, { recursive: true });
  if (readdirSync(target).length > 0) throw new Error(`${target} is not empty`);
  const stages = readDockerfile();
  const folders = new Map<DockerStage, StageFolder>();
  try {
    for (const stage of stages) {
      const own: StageFolder = { folder: stage === stages.at(-1) ? target : mkdtempSync(join(tmpdir(), 'image-stage-')), workdir: undefined, env: {} };
      if (stages.some((s) => s.name && s.name === stage.image)) throw new Error(`FROM ${stage.image}: a stage built on another is not supported here`);
      folders.set(stage, own);
      for (const instruction of stage.instructions) apply(instruction, own, (name) => {
        const from = stages.find((s) => s.name === name || String(stages.indexOf(s)) === name);
        if (!from || !folders.has(from)) throw new Error(`line ${instruction.line}: COPY --from=${name}: no such earlier stage`);
        return folders.get(from)!;
      }, log);
    }
  } finally {
    for (const { folder } of folders.values()) if (folder !== target) rmSync(folder, { recursive: true, force: true });
  }
  return measure(target);
}

function apply(instruction: DockerInstruction, stage: StageFolder, earlierStage: (name: string) => StageFolder, log: (line: string) => void): void {
  const { keyword, line } = instruction;
  const where = `Dockerfile line ${line} (${keyword})`;
  if (METADATA.has(keyword)) return;
  if (keyword === 'ENV') {
    Object.assign(stage.env, instruction.env);
  } else if (keyword === 'WORKDIR') {
    const workdir = instruction.args[0]!;
    if (!posix.isAbsolute(workdir) || (stage.workdir && stage.workdir !== workdir)) throw new Error(`${where}: one absolute WORKDIR per stage is what this builder follows`);
    stage.workdir = workdir;
  } else if (keyword === 'COPY') {
    copy(instruction, stage, earlierStage, where);
  } else if (keyword === 'RUN') {
    run(instruction, stage, where, log);
  } else {
    throw new Error(`${where}: an instruction image-context does not follow; teach scripts/image-context.ts what it does to the files`);
  }
}

/** Docker's COPY: a folder's contents into the destination; files into it when it ends in `/` or there are several. */
function copy(instruction: DockerInstruction, stage: StageFolder, earlierStage: (name: string) => StageFolder, where: string): void {
  const unknownFlags = Object.keys(instruction.flags).filter((f) => !['from', 'chown', 'chmod'].includes(f));
  if (unknownFlags.length > 0 || instruction.args.length < 2) throw new Error(`${where}: not a COPY this builder follows (${unknownFlags.join(', ') || 'one argument'})`);
  const sources = instruction.args.slice(0, -1);
  const destination = inStage(stage, instruction.args.at(-1)!, where);
  const intoFolder = instruction.args.at(-1)!.endsWith('/') || sources.length > 1;
  const from = instruction.flags.from !== undefined ? earlierStage(instruction.flags.from) : undefined;
  const excluded = excludedFromBuildContext();
  for (const source of sources) {
    if (/[*?[]/.test(source)) throw new Error(`${where}: wildcards are not followed here (${source})`);
    const path = from ? inStage(from, source, where) : join(root, source);
    if (!from && excluded(posix.normalize(source))) throw new Error(`${where}: ${source} is excluded by .dockerignore, so docker build would not find it`);
    const isFolder = lstatSync(path, { throwIfNoEntry: false })?.isDirectory();
    if (isFolder === undefined) throw new Error(`${where}: ${source} does not exist${from ? ` in stage ${instruction.flags.from}` : ''}`);
    const to = isFolder || !intoFolder ? destination : join(destination, posix.basename(source));
    mkdirSync(isFolder ? to : dirname(to), { recursive: true });
    cpSync(path, to, {
      recursive: true,
      // From the build context, only what .dockerignore lets through.
      filter: (file) => from !== undefined || !excluded(relative(root, file).split(sep).join('/')),
    });
  }
}

/** A path of the image, under the stage's WORKDIR (relative paths are), as a path of the stage's folder. */
function inStage(stage: StageFolder, path: string, where: string): string {
  if (!stage.workdir) throw new Error(`${where}: no WORKDIR yet, so the files would land outside what the image's WORKDIR holds`);
  const inImage = posix.resolve(stage.workdir, path);
  const fromWorkdir = posix.relative(stage.workdir, inImage);
  if (fromWorkdir.startsWith('..')) throw new Error(`${where}: ${path} is outside WORKDIR ${stage.workdir}`);
  return join(stage.folder, fromWorkdir);
}

function run(instruction: DockerInstruction, stage: StageFolder, where: string, log: (line: string) => void): void {
  // A cache mount only speeds the build up: nothing of it stays in the image.
  const unknownFlags = Object.entries(instruction.flags).filter(([name, value]) => name !== 'mount' || !value.startsWith('type=cache,'));
  if (unknownFlags.length > 0 || instruction.exec) throw new Error(`${where}: not a RUN this builder follows (exec form, or flags other than a cache mount)`);
  const command = instruction.text.replace(/\s+/g, ' ').trim();
  const steps = command.split('&&').map((s) => s.trim());
  if (steps.every((s) => SYSTEM_COMMAND.test(s))) {
    log(`skipped (Debian packages, outside WORKDIR): ${command}`);
    return;
  }
  if (!steps.every((s) => WORKDIR_COMMAND.test(s))) throw new Error(`${where}: a RUN step image-context does not know how to follow: ${command}`);
  if (!stage.workdir) throw new Error(`${where}: RUN before WORKDIR`);
  log(`${stage.workdir}$ ${command}`);
  // This machine's environment (its proxy and CA settings reach the registry), this Node first on PATH, and no
  // NODE_ENV or NODE_OPTIONS but the stage's own. npm's cache (~/.npm, outside the repository) keeps a rerun quick.
  const { NODE_ENV: _, NODE_OPTIONS: __, ...machine } = process.env;
  const env = { ...machine, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, ...stage.env };
  execFileSync('sh', ['-c', command], { cwd: stage.folder, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Files and bytes under a path (a symbolic link counts as itself). */
function sizeOf(path: string): { files: number; bytes: number } {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return { files: 1, bytes: stat.size };
  return readdirSync(path).map((entry) => sizeOf(join(path, entry)))
    .reduce((sum, one) => ({ files: sum.files + one.files, bytes: sum.bytes + one.bytes }), { files: 0, bytes: 0 });
}

function measure(dir: string): ImageContext {
  const modules = join(dir, 'node_modules');
  const names = readdirSync(modules).filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)).map((scoped) => `${name}/${scoped}`) : [name]));
  const packages = names.map((name) => ({ name, bytes: sizeOf(join(modules, name)).bytes }));
  return { dir, ...sizeOf(dir), packages: packages.sort((a, b) => b.bytes - a.bytes) };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

if (import.meta.main) {
  const dir = process.argv[2] || mkdtempSync(join(tmpdir(), 'aws-secrets-operator-image-'));
  const context = buildImageContext(dir, (line) => console.log(line));
  const scopes = Map.groupBy(context.packages.filter((p) => p.name.startsWith('@')), (p) => p.name.split('/')[0]!);
  const sum = (list: { bytes: number }[]) => list.reduce((total, p) => total + p.bytes, 0);
  console.log([
    '',
    `What the image holds besides Node and Debian (its WORKDIR), in ${context.dir}:`,
    `  ${mib(context.bytes)} in ${context.files} files: ${readdirSync(context.dir).map((entry) => `${entry} ${mib(sizeOf(join(context.dir, entry)).bytes)}`).join(', ')}`,
    `  node_modules: ${context.packages.length} packages`,
    `  largest packages: ${context.packages.slice(0, 8).map((p) => `${p.name} ${mib(p.bytes)}`).join(', ')}`,
    `  by scope: ${[...scopes].map(([scope, list]) => ({ scope, bytes: sum(list), count: list.length })).sort((a, b) => b.bytes - a.bytes)
      .map((s) => `${s.scope} ${mib(s.bytes)} (${s.count})`).join(', ')}`,
  ].join('\n'));
}
