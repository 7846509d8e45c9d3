import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDeployment } from '../../dev/chart.ts';
import { excludedFromBuildContext, imageStage, instructionsOf, readDockerfile } from '../../scripts/dockerfile.ts';
import { imageCommand } from '../helpers/image-command.ts';

/** What the kubelet and the image build would check of the shipped Dockerfile and Deployment. */
const root = join(import.meta.dirname, '../..');
const stages = readDockerfile();
const image = imageStage(stages);
const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
const nodeVersion = readFileSync(join(root, '.node-version'), 'utf8').trim();
const deployment = defaultDeployment();
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
/** The arguments of every instruction of a keyword, all stages. */
const instruction = (keyword: string): string[] => stages.flatMap((stage) => instructionsOf(stage, keyword).map((i) => i.text));

/** Kubernetes quantities as bytes (the binary suffixes the manifests use). */
const bytes = (q: string): number => {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? '']!;
};

describe('the image and the Deployment', () => {
  it('build from the exact Node version the tests run on, in both stages, pinned by digest', () => {
    expect(stages.length).toBe(2);
    for (const stage of stages) expect(stage.image).toMatch(new RegExp(`^node:${nodeVersion.replaceAll('.', '\\.')}-[a-z]+-slim@sha256:[0-9a-f]{64}$`));
    expect(new Set(stages.map((s) => s.image)).size).toBe(1);
  });

  it('strip the types with the same build as `make build`', () => {
    expect(instruction('RUN')).toContain('npx tsc -p tsconfig.build.json');
    expect(makefile).toMatch(/^\tnpx tsc -p tsconfig\.build\.json$/m);
  });

  it('run as a numeric non-root user, the same in the image and the pod, so the kubelet can verify runAsNonRoot', () => {
    const [user] = instruction('USER');
    expect(user).toMatch(/^[1-9]\d*:\d+$/);
    const [uid, gid] = user!.split(':').map(Number);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser ?? container.securityContext?.runAsUser).toBe(uid);
    expect(pod.securityContext.runAsGroup ?? container.securityContext?.runAsGroup).toBe(gid);
  });

  it('keep the restricted Pod Security Standard', () => {
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it("run the operator with `make run`'s heap flags: a set young generation and an old generation sized from the container's limit", () => {
    const flags = /^NODE_HEAP_FLAGS := (.+)$/m.exec(makefile)![1]!.trim().split(/\s+/);
    expect(flags).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(flags).toContainEqual(expect.stringMatching(/^--max-old-space-size-percentage=\d+$/));
    // The image runs the build of src/ (`make build`: types stripped ahead, copied to src/), `make run` the sources.
    const { args, script } = imageCommand();
    expect(['node', ...args, script]).toEqual(['node', ...flags, 'src/main.js']);
    expect(makefile).toMatch(/^\tnode \$\(NODE_HEAP_FLAGS\) src\/main\.ts$/m);
  });

  it('run node under tini, which the image installs, so that SIGTERM reaches node; the pod keeps that entrypoint', () => {
    expect(imageCommand().entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(instructionsOf(image, 'RUN').map((r) => r.text)).toContainEqual(expect.stringMatching(/\bapt-get install -y --no-install-recommends tini\b/));
    // A `command` in the Deployment would replace the image's ENTRYPOINT, and node would run as PID 1.
    expect(container.command).toBeUndefined();
  });

  it('leave health to the Deployment\'s probes: no HEALTHCHECK', () => {
    expect(instruction('HEALTHCHECK')).toEqual([]);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('send the builder what the Dockerfile copies from the build context, and nothing else (.dockerignore)', () => {
    const copied = stages.flatMap((stage) => instructionsOf(stage, 'COPY').filter((c) => c.flags.from === undefined).flatMap((c) => c.args.slice(0, -1)));
    const isCopied = (file: string) => copied.some((source) => file === source || file.startsWith(`${source}/`));
    const excluded = excludedFromBuildContext();
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.filter((file) => excluded(file) === isCopied(file))).toEqual([]);
    for (const generated of ['node_modules/vitest/package.json', 'dist/src/main.js', '.git/HEAD', 'bench/results/latest.json']) expect(excluded(generated)).toBe(true);
  });

  it('request at least the resting memory `make bench` measures, and limit above its peak', () => {
    // From `make bench` (scripts/bench.ts): resting RSS and peak RSS at 1000 ExternalSecrets, in MiB.
    const { restingRssMiB, peakRssMiB } = JSON.parse(readFileSync(join(root, 'bench/sizing.json'), 'utf8'));
    expect(bytes(container.resources.requests.memory)).toBeGreaterThanOrEqual(restingRssMiB * 1024 ** 2);
    expect(bytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(1.25 * peakRssMiB * 1024 ** 2);
  });
});
