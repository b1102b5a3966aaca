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
ENV NODE_ENV=production \
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
