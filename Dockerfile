# The same Node major as `make run` and the tests (see .node-version).
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
USER node
# Node 24 runs the TypeScript sources directly (type stripping); there is no build step.
CMD ["node", "src/main.ts"]
