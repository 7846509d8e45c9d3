# The same Node as `make run` and the tests: the exact version of .node-version (test/unit/deploy.test.ts checks
# that they agree). Pin the digest too when you build where the registry can be reached:
#   docker buildx imagetools inspect node:24.21.0-bookworm-slim
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
COPY dev ./dev
# `make build`: the TypeScript sources with their types removed (nothing else changes; imports name .js files). Node
# runs .ts files too, but its type stripper then stays loaded, 20-30 MiB of the process (README, "Memory").
RUN npx tsc -p tsconfig.build.json

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist/src ./src
# A numeric user (the image's `node`, 1000:1000): the kubelet can only enforce runAsNonRoot for a numeric UID.
USER 1000:1000
# The heap flags are `make run`'s (README, "Memory"): young generation 2 x 4 MiB instead of up to 2 x 64 MiB; old
# generation 60% of the container's limit.
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size-percentage=60", "src/main.js"]
