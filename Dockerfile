# Lunar's developer portal: a multi-stage build of the backend bundle, which
# also serves the built frontend.
#   docker build -t lunar-portal .
#   docker run -p 7007:7007 -e POSTGRES_HOST=... lunar-portal
# scripts/build-dist.sh runs the same steps without Docker, and CI starts the
# result against PostgreSQL (scripts/prod-smoke.sh).

# --- Stage 1: install, typecheck and build ---------------------------------
FROM node:22-bookworm-slim AS build
RUN apt-get update && \
    apt-get install -y --no-install-recommends python3 g++ make libsqlite3-dev && \
    rm -rf /var/lib/apt/lists/*
# Yarn 4 as pinned by package.json's packageManager.
RUN corepack enable
WORKDIR /app
COPY . .
RUN yarn install --immutable
RUN yarn tsc
RUN yarn build:backend

# --- Stage 2: production image ----------------------------------------------
FROM node:22-bookworm-slim
# Native addons for the production install; mkdocs builds TechDocs locally.
RUN apt-get update && \
    apt-get install -y --no-install-recommends python3 g++ make libsqlite3-dev \
      mkdocs mkdocs-material && \
    rm -rf /var/lib/apt/lists/*
RUN corepack enable
USER node
WORKDIR /app
ENV NODE_ENV=production

COPY --from=build --chown=node:node /app/.yarnrc.yml /app/backstage.json /app/yarn.lock /app/package.json ./
COPY --from=build --chown=node:node /app/packages/backend/dist/skeleton.tar.gz ./
RUN tar xzf skeleton.tar.gz && rm skeleton.tar.gz
RUN yarn workspaces focus --all --production && rm -rf "$(yarn cache clean)"

COPY --chown=node:node examples ./examples
COPY --chown=node:node templates ./templates
COPY --chown=node:node docs ./docs
COPY --chown=node:node catalog-info.yaml mkdocs.yml app-config*.yaml ./
COPY --chown=node:node plugins/dead-letter-common/catalog-info.yaml ./plugins/dead-letter-common/
COPY --chown=node:node plugins/release-status-common/catalog-info.yaml ./plugins/release-status-common/
COPY --chown=node:node plugins/squad-overview-common/catalog-info.yaml ./plugins/squad-overview-common/
COPY --from=build --chown=node:node /app/packages/backend/dist/bundle.tar.gz ./
RUN tar xzf bundle.tar.gz && rm bundle.tar.gz

EXPOSE 7007
CMD ["node", "packages/backend", "--config", "app-config.yaml", "--config", "app-config.production.yaml"]
