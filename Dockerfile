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
# The bot's HTTP server (notifyHook callbacks, /healthz, /metrics): HTTP_PORT, 8080 by default.
EXPOSE 8080
# Healthy while /healthz answers 200 (Discord connected, store reachable). The slim image has no
# curl: node asks. No "$" in the command, so compose.yaml can carry the same one uninterpolated.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(3000) }).then((response) => process.exit(response.status === 200 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--optimize-for-size", "dist/main.js"]
