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
import { PullRequestsService } from '../github/PullRequestsService';
import { SquadOverviewService } from './SquadOverviewService';

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

const overviewQuery = z.object({ squad: groupRef('squad') });

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
  overview: SquadOverviewService;
  pullRequests: PullRequestsService;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  releaseEvents: boolean;
  logger: LoggerService;
}): Promise<express.Router> {
  const { overview, pullRequests, catalog, httpAuth } = options;
  const router = Router();
  router.use(express.json());

  /** The squad (a group ref, already parsed), as the caller may see it. */
  async function visibleSquad(req: express.Request, ref: string) {
    const credentials = await httpAuth.credentials(req);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No group ${ref} in the catalog`);
    return { ref, entity, credentials };
  }

  router.get('/pulse', async (req, res) => {
    const { squad, limit: count } = parseInput(pulseQuery, req.query);
    const { ref, credentials } = await visibleSquad(req, squad);
    const items = await overview.storedPulse(ref, count, credentials);
    const body: PulseResponse = {
      items,
      sources: { catalog: true, releaseEvents: options.releaseEvents },
    };
    res.json(body);
  });

  router.get('/pull-requests', async (req, res) => {
    const { owner } = parseInput(pullRequestsQuery, req.query);
    const { ref, credentials } = await visibleSquad(req, owner);
    res.json(await pullRequests.forOwner(ref, credentials));
  });

  router.get('/overview', async (req, res) => {
    const { squad } = parseInput(overviewQuery, req.query);
    const { entity, credentials } = await visibleSquad(req, squad);
    res.json(await overview.squad(entity, credentials));
  });

  router.get('/squads/overview', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await overview.squads(credentials));
  });

  // Last: no answer carries SQL, a stack or a connection string; a lost
  // database is a 503 with Retry-After (see @internal/plugin-lunar-node).
  router.use(createSafeErrorMiddleware({ logger: options.logger }));
  return router;
}
