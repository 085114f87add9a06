import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  createSafeErrorMiddleware,
  parseInput,
} from '@internal/plugin-lunar-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  LUNAR_ANNOTATIONS,
  parseEntityRefParameter,
} from '@internal/plugin-lunar-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ReleaseOverview,
  driftScore,
  isReleasableComponent,
} from '@internal/plugin-release-status-common';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ReleaseStatusService } from './ReleaseStatusService';

/** Components looked up at once for an overview. */
const CONCURRENCY = 8;

/** `refresh=true` skips the cache; absent or `false` uses it. */
const refresh = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .optional()
  .transform(v => v === 'true');

const statusQuery = z.object({
  /** A component, `card-clearing` meaning `component:default/card-clearing`. */
  entityRef: z.unknown().transform(value =>
    parseEntityRefParameter(value, {
      name: 'entityRef',
      defaultKind: 'component',
    }),
  ),
  refresh,
});

const overviewQuery = z.object({
  /** A squad, `squad-nasa` meaning `group:default/squad-nasa`. */
  owner: z
    .unknown()
    .optional()
    .transform(value =>
      value === undefined
        ? undefined
        : stringifyEntityRef(
            parseEntityRefParameter(value, {
              name: 'owner',
              defaultKind: 'group',
              kindRequired: true,
            }),
          ),
    ),
  refresh,
});

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/** `/api/release-status`: see the plugin's README for the API. */
export async function createRouter(options: {
  service: ReleaseStatusService;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  logger: LoggerService;
}): Promise<express.Router> {
  const { service, catalog, httpAuth, logger } = options;
  const router = Router();
  router.use(express.json());

  router.get('/status', async (req, res) => {
    const { entityRef: ref, refresh: fresh } = parseInput(
      statusQuery,
      req.query,
    );
    const credentials = await httpAuth.credentials(req);
    // The caller's own catalog view: no status for what they cannot see.
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `No entity ${stringifyEntityRef(ref)} in the catalog`,
      );
    }
    res.json(await service.status(entity, { refresh: fresh }));
  });

  router.get('/overview', async (req, res) => {
    const { owner, refresh: fresh } = parseInput(overviewQuery, req.query);
    const credentials = await httpAuth.credentials(req);
    const { items: entities } = await catalog.getEntities(
      {
        filter: {
          kind: 'component',
          [`metadata.annotations.${LUNAR_ANNOTATIONS.releaseManagerService}`]:
            CATALOG_FILTER_EXISTS,
          ...(owner && { 'relations.ownedBy': owner }),
        },
      },
      { credentials },
    );
    // Every shuttle.yaml component has the annotation, libraries and
    // documentation sites too; the catalog cannot filter on "not", so they
    // are left out here.
    const releasable = entities.filter(isReleasableComponent);
    const items = await mapLimit(releasable, CONCURRENCY, e =>
      service.status(e, { refresh: fresh }),
    );
    // Worst drift in the last (production) environment first.
    const last = service.environments[service.environments.length - 1];
    const now = Date.now();
    items.sort(
      (a, b) =>
        driftScore(b, last, now) - driftScore(a, last, now) ||
        a.entityRef.localeCompare(b.entityRef),
    );
    const body: ReleaseOverview = { environments: service.environments, items };
    res.json(body);
  });

  // Last: no answer carries a stack or internals of release-manager or
  // GitHub (see @internal/plugin-lunar-node).
  router.use(createSafeErrorMiddleware({ logger }));
  return router;
}
