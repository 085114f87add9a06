import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { createSafeErrorMiddleware } from '@internal/plugin-lunar-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { parseEntityRefParameter } from '@internal/plugin-lunar-common';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PulseResponse } from '@internal/plugin-squad-overview-common';
import express from 'express';
import Router from 'express-promise-router';
import { PulseStore } from '../database/PulseStore';
import { PullRequestsService } from '../github/PullRequestsService';

const MAX_LIMIT = 200;

/** A group entity ref from a query parameter, lower case. */
function groupRef(value: unknown, name: string): string {
  const ref = parseEntityRefParameter(value, {
    name,
    defaultKind: 'group',
    kindRequired: true,
  });
  return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
}

function limit(value: unknown): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new InputError(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

/** `/api/squad-overview`: see the plugin's README for the API. */
export async function createRouter(options: {
  store: PulseStore;
  pullRequests: PullRequestsService;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  releaseEvents: boolean;
  logger: LoggerService;
}): Promise<express.Router> {
  const { store, pullRequests, catalog, httpAuth } = options;
  const router = Router();
  router.use(express.json());

  /** The squad, as the caller may see it in the catalog. */
  async function visibleSquad(req: express.Request, param: string) {
    const ref = groupRef(req.query[param], param);
    const credentials = await httpAuth.credentials(req);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No group ${ref} in the catalog`);
    return { ref, credentials };
  }

  router.get('/pulse', async (req, res) => {
    const count = limit(req.query.limit);
    const { ref, credentials } = await visibleSquad(req, 'squad');
    const items = await store.listForSquad(ref, count);
    // Only entries about components the caller may see (removed ones have
    // no component left and stay).
    const refs = [
      ...new Set(items.flatMap(i => (i.entityRef ? [i.entityRef] : []))),
    ];
    const visible = new Set<string>();
    if (refs.length) {
      const { items: entities } = await catalog.getEntitiesByRefs(
        {
          entityRefs: refs,
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      entities.forEach((e, i) => {
        if (e) visible.add(refs[i]);
      });
    }
    const body: PulseResponse = {
      items: items.filter(i => !i.entityRef || visible.has(i.entityRef)),
      sources: { catalog: true, releaseEvents: options.releaseEvents },
    };
    res.json(body);
  });

  router.get('/pull-requests', async (req, res) => {
    const { ref, credentials } = await visibleSquad(req, 'owner');
    res.json(await pullRequests.forOwner(ref, credentials));
  });

  // Last: no answer carries SQL, a stack or a connection string; a lost
  // database is a 503 with Retry-After (see @internal/plugin-lunar-node).
  router.use(createSafeErrorMiddleware({ logger: options.logger }));
  return router;
}
