import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDeployment } from '../../dev/chart.ts';

/** What the kubelet and the image build would check of the shipped Dockerfile and Deployment. */
const root = join(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
const nodeVersion = readFileSync(join(root, '.node-version'), 'utf8').trim();
const deployment = defaultDeployment();
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const instruction = (name: string): string[] =>
  dockerfile.split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

/** Kubernetes quantities as bytes (the binary suffixes the manifests use). */
const bytes = (q: string): number => {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? '']!;
};

describe('the image and the Deployment', () => {
  it('build from the exact Node version the tests run on, in both stages', () => {
    const froms = instruction('FROM').map((f) => f.replace(/ AS \w+$/, ''));
    expect(froms.length).toBe(2);
    for (const from of froms) expect(from).toMatch(new RegExp(`^node:${nodeVersion.replaceAll('.', '\\.')}-[a-z]+-slim(@sha256:[0-9a-f]{64})?$`));
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
    expect(JSON.parse(instruction('CMD')[0]!)).toEqual(['node', ...flags, 'src/main.js']);
    expect(makefile).toMatch(/^\tnode \$\(NODE_HEAP_FLAGS\) src\/main\.ts$/m);
  });

  it('request at least the resting memory `make bench` measures, and limit above its peak', () => {
    // From `make bench` (scripts/bench.ts): resting RSS and peak RSS at 1000 ExternalSecrets, in MiB.
    const { restingRssMiB, peakRssMiB } = JSON.parse(readFileSync(join(root, 'bench/sizing.json'), 'utf8'));
    expect(bytes(container.resources.requests.memory)).toBeGreaterThanOrEqual(restingRssMiB * 1024 ** 2);
    expect(bytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(1.25 * peakRssMiB * 1024 ** 2);
  });
});
