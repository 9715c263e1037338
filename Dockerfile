# syntax=docker/dockerfile:1
# agente-disparo-agenda: one image for every command (serve --http, worker, migrate, reminders, inbox, lgpd…).
# Multi-stage: TypeScript is built in `build`, production dependencies are installed in `deps`, and the
# runtime stage gets only dist/, migrations/, mcp.json and those dependencies, running as the
# unprivileged `node` user. No secret is baked in: DATABASE_URL and channel credentials come at run
# time, as values or as references (${aws-sm:…}, ${file:/run/secrets/…}; README "Secrets").
# Checked by test/unit/deploy-files.test.ts (hadolint cannot be installed on this project's machines).

ARG NODE_VERSION=20.19

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AGENTE_DATA_DIR=/var/lib/agente \
    AGENTE_LOG_LEVEL=info \
    AGENTE_HEALTH_URL=http://127.0.0.1:3333/healthz
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json mcp.json ./
COPY --chown=root:root migrations ./migrations
RUN mkdir -p /var/lib/agente && chown node:node /var/lib/agente
USER node
EXPOSE 3333
# /healthz of `serve --http` (h21b, issue 21 step 3); a worker sets AGENTE_HEALTH_URL to its AGENTE_METRICS_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.AGENTE_HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve", "--http", "--host", "0.0.0.0", "--port", "3333"]
