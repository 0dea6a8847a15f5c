# syntax=docker/dockerfile:1
# Node 26 is the Active LTS line since 2026-10-28.
ARG NODE_VERSION=26
# Build: compile TypeScript and the sqlite3 addon with the toolchain, then keep production deps only.
FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: no compiler, no dev dependencies, not root. tini is PID 1 and forwards SIGTERM to node,
# which stops tracking cleanly (see src/main.ts).
FROM node:${NODE_VERSION}-trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production \
    STORE_URL=sqlite:///data/mjrelay.sqlite
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--optimize-for-size", "dist/main.js"]
