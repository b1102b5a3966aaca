# syntax=docker/dockerfile:1
# Multi-stage build on Node 22 LTS (Debian slim). The same steps run in tests/deploy/docker-steps.test.ts,
# because no Docker engine runs on the development machines.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS runtime
# NODE_OPTIONS keeps the idle bot small after the search index is first built from ~50 MB of JSON pages
# (docs/benchmarks.md, "Bot idle RSS with the live catalog"): a young generation of at most 2 MB per
# semi-space, and an old-space limit of 256 MB, with which V8 grows the heap slowly and collects sooner.
# The bot's live heap stays far below it (~20 MB with the index; a 100,000-fill CSV export ran within it).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256" \
    LOG_DIR=/app/logs \
    DATA_DIR=/app/data \
    HEALTH_PORT=8081
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/logs /app/data && chown -R node:node /app/logs /app/data
USER node
VOLUME ["/app/logs", "/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8081)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# An empty HEALTH_PORT (e.g. `docker run --env-file .env` with the line from .env.example) would turn the
# health endpoint off and make the HEALTHCHECK fail, so an empty value falls back to the image's port.
# `exec` hands PID 1 to node so it receives SIGTERM from `docker stop`.
CMD ["/bin/sh", "-c", "export HEALTH_PORT=\"${HEALTH_PORT:-8081}\"; exec node dist/main.js"]
