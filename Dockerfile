# The same Node as `make run` and the tests: the exact version of .node-version (test/unit/deploy.test.ts checks that
# they agree), pinned by digest so that a rebuild starts from the same bytes. The digest is the multi-architecture index
# (amd64, arm64) of node:24.21.0-bookworm-slim as published in October 2026, as public Dockerfiles pinning that tag
# record it (the machine this was written on cannot reach Docker Hub). To bump: change .node-version and the tag here,
# then put in both FROM lines the digest that
#   docker buildx imagetools inspect node:<version>-bookworm-slim --format '{{json .Manifest.Digest}}'
# prints (the index's, not one platform's).
FROM node:24.21.0-bookworm-slim@sha256:d6aa754f16b3197301076f047b5def2f02ea1dbbc2ca920407d46d7ec7f87b20 AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY src ./src
# dev/ only for tsc, which checks main.ts's lazy import of the local environment; the image copies dist/src alone.
COPY dev ./dev
# `make build`: the TypeScript sources with their types removed (nothing else changes; imports name .js files). Node
# runs .ts files too, but its type stripper then stays loaded, 20-30 MiB of the process (README, "Memory").
RUN npx tsc -p tsconfig.build.json

# The image. `make image-context` lays out what it holds under WORKDIR by following this file.
FROM node:24.21.0-bookworm-slim@sha256:d6aa754f16b3197301076f047b5def2f02ea1dbbc2ca920407d46d7ec7f87b20
# tini as PID 1, node its child: as PID 1, node would ignore every signal it has no handler for (before main.ts sets
# its own, or a second SIGTERM). tini forwards the kubelet's SIGTERM to node (whose handler stops the operator and
# exits 0), passes node's exit code on, and reaps any child left behind (a kubeconfig's exec credential plugin).
# tzdata: the zone files sprig's date functions read, as Go reads them (src/go/time/tzif.ts); Debian's base image
# usually has them already, this keeps it so.
RUN apt-get update && apt-get install -y --no-install-recommends tini tzdata && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The npm cache is a build cache, not a layer of the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist/src ./src
# A numeric user (the image's `node`, 1000:1000): the kubelet can only enforce runAsNonRoot for a numeric UID.
USER 1000:1000
# No HEALTHCHECK: the Deployment's liveness and readiness probes (/healthz, /readyz) are what Kubernetes uses.
ENTRYPOINT ["/usr/bin/tini", "--"]
# The heap flags are `make run`'s (README, "Memory"): young generation 2 x 4 MiB instead of up to 2 x 64 MiB; old
# generation 60% of the container's limit.
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size-percentage=60", "src/main.js"]
