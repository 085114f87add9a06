import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  createSafeErrorMiddleware,
  parseInput,
} from '@internal/plugin-lunar-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  LUNAR_ANNOTATIONS,
  parseEntityRefParameter,
} from '@internal/plugin-lunar-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ReleaseOverview,
  driftScore,
  isReleasableComponent,
  releaseStatusRefreshPermission,
} from '@internal/plugin-release-status-common';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  ReleaseStatusStore,
  StoredReleaseStatus,
} from '../database/ReleaseStatusStore';
import { ReleaseStatusRefresher } from './ReleaseStatusRefresher';
import { toAnswer } from './answers';

/**
 * `refresh=true` on a read starts a background refresh of the component
 * (`/status`) and still answers from the store; `POST /refresh` is the
 * one that waits.
 */
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

/**
 * What the overview reads of each component: isReleasableComponent, the
 * pending answer (answers.ts) and ReleaseStatusService (annotations, name,
 * owner) use no more.
 */
const OVERVIEW_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
  'spec.type',
  'relations',
];

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

const refreshBody = z.object({
  /** A component, `card-clearing` meaning `component:default/card-clearing`. */
  entityRef: z.unknown().transform(value =>
    parseEntityRefParameter(value, {
      name: 'entityRef',
      defaultKind: 'component',
    }),
  ),
});

/** `/api/release-status`: see the plugin's README for the API. */
export async function createRouter(options: {
  /** The configured environments, in promotion order. */
  environments: string[];
  store: ReleaseStatusStore;
  refresher: ReleaseStatusRefresher;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
}): Promise<express.Router> {
  const {
    environments,
    store,
    refresher,
    catalog,
    httpAuth,
    permissions,
    auditor,
    logger,
  } = options;
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
    // Reads answer from the store only: never release-manager or git.
    const stored = await store.get(stringifyEntityRef(entity));
    if (!stored?.status || fresh) refresher.refreshInBackground(entity);
    res.json(toAnswer(entity, stored));
  });

  router.post('/refresh', async (req, res) => {
    const { entityRef: ref } = parseInput(refreshBody, req.body ?? {});
    // A person, or a backend plugin such as the scaffolder right after it
    // created the component.
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = stringifyEntityRef(ref);
    const event = await auditor.createEvent({
      eventId: 'release-status-refresh',
      severityLevel: 'low',
      request: req,
      meta: { entityRef },
    });
    try {
      const [decision] = await permissions.authorize(
        [{ permission: releaseStatusRefreshPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `not allowed to refresh release status (${releaseStatusRefreshPermission.name})`,
        );
      }
      const entity = await catalog.getEntityByRef(ref, { credentials });
      if (!entity) {
        throw new NotFoundError(`No entity ${entityRef} in the catalog`);
      }
      const stored = await refresher.refreshOne(entity, { force: true });
      const body = toAnswer(entity, stored);
      await event.success({
        meta: {
          entityRef,
          computedAt: body.computedAt ?? null,
          lastError: body.freshness?.lastError ?? null,
        },
      });
      res.json(body);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/overview', async (req, res) => {
    const { owner } = parseInput(overviewQuery, req.query);
    const credentials = await httpAuth.credentials(req);
    // A squad's components by owner alone: the annotation is checked below
    // (isReleasableComponent), in memory, instead of by the catalog's
    // annotation-exists subquery. Only the fields the answer and a
    // background refresh use (OVERVIEW_FIELDS): interleaved with whole
    // entities in bench/release-status, the call took 9.0 ms against 10.4.
    //
    // The catalog's list and the stored statuses of the components the last
    // refresh saw with this owner, at once: the catalog decides what the
    // caller sees, and a component whose owner changed since is read by ref.
    const [{ items: entities }, byOwner] = await Promise.all([
      catalog.getEntities(
        {
          filter: owner
            ? { kind: 'component', 'relations.ownedBy': owner }
            : {
                kind: 'component',
                [`metadata.annotations.${LUNAR_ANNOTATIONS.releaseManagerService}`]:
                  CATALOG_FILTER_EXISTS,
              },
          fields: OVERVIEW_FIELDS,
        },
        { credentials },
      ),
      // Without an owner, every component: read by ref after the catalog's
      // answer instead of the whole table.
      owner ? store.listByOwner(owner) : new Map<string, StoredReleaseStatus>(),
    ]);
    // Components without the annotation, and libraries and documentation
    // sites (every shuttle.yaml component has the annotation; the catalog
    // cannot filter on "not"), are left out here.
    const releasable = entities.filter(isReleasableComponent).map(entity => ({
      entity,
      key: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    }));
    const missing = releasable.filter(r => !byOwner.has(r.key)).map(r => r.key);
    // One more query at most; none calls a source.
    const stored = missing.length
      ? new Map([...byOwner, ...(await store.getMany(missing))])
      : byOwner;
    const items = releasable.map(({ entity, key }) => {
      const found = stored.get(key);
      if (!found?.status) refresher.refreshInBackground(entity);
      return toAnswer(entity, found);
    });
    // Worst drift in the last (production) environment first.
    const last = environments[environments.length - 1];
    const now = Date.now();
    items.sort(
      (a, b) =>
        driftScore(b, last, now) - driftScore(a, last, now) ||
        a.entityRef.localeCompare(b.entityRef),
    );
    const body: ReleaseOverview = { environments, items };
    res.json(body);
  });

  // Last: no answer carries a stack or internals of release-manager or
  // GitHub (see @internal/plugin-lunar-node).
  router.use(createSafeErrorMiddleware({ logger }));
  return router;
}
