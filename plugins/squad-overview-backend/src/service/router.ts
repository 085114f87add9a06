import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  createSafeErrorMiddleware,
  parseInput,
} from '@internal/plugin-lunar-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { parseEntityRefParameter } from '@internal/plugin-lunar-common';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PulseResponse } from '@internal/plugin-squad-overview-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { PulseStore } from '../database/PulseStore';
import { PullRequestsService } from '../github/PullRequestsService';

const MAX_LIMIT = 200;

/** A group entity ref from a query parameter, lower case. */
const groupRef = (name: string) =>
  z.unknown().transform(value =>
    stringifyEntityRef(
      parseEntityRefParameter(value, {
        name,
        defaultKind: 'group',
        kindRequired: true,
      }),
    ).toLocaleLowerCase('en-US'),
  );

const pullRequestsQuery = z.object({ owner: groupRef('owner') });

const pulseQuery = z.object({
  squad: groupRef('squad'),
  limit: z.coerce
    .number({ message: `must be a whole number from 1 to ${MAX_LIMIT}` })
    .int(`must be a whole number from 1 to ${MAX_LIMIT}`)
    .min(1, `must be a whole number from 1 to ${MAX_LIMIT}`)
    .max(MAX_LIMIT, `must be a whole number from 1 to ${MAX_LIMIT}`)
    .default(50),
});

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

  /** The squad (a group ref, already parsed), as the caller may see it. */
  async function visibleSquad(req: express.Request, ref: string) {
    const credentials = await httpAuth.credentials(req);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No group ${ref} in the catalog`);
    return { ref, credentials };
  }

  router.get('/pulse', async (req, res) => {
    const { squad, limit: count } = parseInput(pulseQuery, req.query);
    const { ref, credentials } = await visibleSquad(req, squad);
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
    const { owner } = parseInput(pullRequestsQuery, req.query);
    const { ref, credentials } = await visibleSquad(req, owner);
    res.json(await pullRequests.forOwner(ref, credentials));
  });

  // Last: no answer carries SQL, a stack or a connection string; a lost
  // database is a 503 with Retry-After (see @internal/plugin-lunar-node).
  router.use(createSafeErrorMiddleware({ logger: options.logger }));
  return router;
}
