import {
  AuditorService,
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  PromiseCache,
  createSafeErrorMiddleware,
  parseInput,
} from '@internal/plugin-lunar-node';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ArchivedDeadLetter,
  DeadLetterFilter,
  DeadLetteredMessage,
  EnvironmentStatus,
  RedeliverResult,
  deadLetterMessageDeletePermission,
  deadLetterMessageRedeliverPermission,
  deadLetterMessageReadPermission,
  deadLetterMessageReadUnmaskedPermission,
  DeadLetterContentAccess,
} from '@internal/plugin-dead-letter-common';
import {
  AuthorizeResult,
  PermissionCriteria,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { ConditionTransformer } from '@backstage/plugin-permission-node';
import { JsonObject } from '@backstage/types';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  BrokerEnvironmentConfig,
  DeadLetterConfig,
  hasBroker,
} from '../config';
import {
  DeadLetterStore,
  Selection,
  StoredDeadLetter,
} from '../database/DeadLetterStore';
import { RedeliveryService } from './RedeliveryService';
import { addRedeliveryRoutes } from './redeliveryRoutes';
import { logsUrl } from './logsUrl';
import { DeadLetterQuery, DeadLetterResource } from '../permissions';
import { messageView, readersOf } from './messageView';
import { fillMissingSquads } from './squads';
import { SquadResolver } from '../consumer/DeadLetterConsumer';

/**
 * A text parameter: PostgreSQL refuses NUL characters in text (a 500 before
 * this), and no filter needs more than 1000 characters.
 */
const text = () =>
  z
    .string()
    .min(1)
    .max(1000)
    .refine(s => !s.includes('\u0000'), {
      message: 'must not contain NUL characters',
    });

/** Message ids are bigints: digits, at most 18 of them always fit. */
const ID_PATTERN = /^\d{1,18}$/;

const isoTime = z.string().refine(s => !Number.isNaN(Date.parse(s)), {
  message: 'must be an ISO date-time',
});

const filterSchema = z
  .object({
    service: text().optional(),
    squad: text().optional(),
    queue: text().optional(),
    routingKey: text().optional(),
    error: text().optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
  })
  .strict();

const listQuerySchema = filterSchema
  .extend({
    environment: z.string().min(1),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: text().optional(),
  })
  .strict();

const archiveListQuerySchema = listQuerySchema
  .extend({ archiveReason: z.enum(['deleted', 'redelivered']).optional() })
  .strict();

const restoreSchema = z
  .object({
    environment: z.string().min(1),
    ids: z
      .array(z.string().regex(ID_PATTERN, 'ids are numeric strings'))
      .min(1)
      .max(10_000),
  })
  .strict();

const selectionSchema = z.union([
  z
    .object({
      environment: z.string().min(1),
      ids: z
        .array(z.string().regex(ID_PATTERN, 'ids are numeric strings'))
        .min(1)
        .max(10_000),
    })
    .strict(),
  z.object({ environment: z.string().min(1), filter: filterSchema }).strict(),
]);

/** Dependencies of the dead-letter HTTP API. */
export interface RouterOptions {
  config: DeadLetterConfig;
  store: DeadLetterStore;
  /** An environment's consumer (or sample) state; undefined: not started. */
  environmentStatus: (
    name: string,
  ) => Omit<EnvironmentStatus, 'retention'> | undefined;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Turns a conditional permission decision into a store condition. */
  transformConditions: ConditionTransformer<DeadLetterQuery>;
  /** Applies a (conditional) permission decision to one loaded message. */
  authorizeResource: (
    decision: PolicyDecision,
    resource: DeadLetterResource,
  ) => boolean;
  auditor: AuditorService;
  /** The redelivery workflow. */
  redeliveries: RedeliveryService;
  /**
   * The catalog's squads, for a message stored before the catalog knew its
   * service's owner (see fillMissingSquads).
   */
  resolveSquads?: SquadResolver;
  /** Where errors hidden from the caller are logged, with their reference. */
  logger: LoggerService;
}

/** The dead-letter API, mounted at /api/dead-letter. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    config,
    store,
    environmentStatus,
    httpAuth,
    permissions,
    transformConditions,
    authorizeResource,
    auditor,
    redeliveries,
    resolveSquads,
    logger,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  const environment = (name: string) => {
    const env = config.environments.find(e => e.name === name);
    if (!env) throw new InputError(`unknown environment '${name}'`);
    return env;
  };
  const withLogs = <T extends StoredDeadLetter>(
    row: T,
  ): Omit<T, 'bodyTruncated'> & Pick<DeadLetteredMessage, 'logsUrl'> => {
    const { bodyTruncated: _t, ...rest } = row;
    return {
      ...rest,
      logsUrl: logsUrl(environment(row.environment).logsUrlTemplate, row),
    };
  };

  /**
   * Mutations need a person who passes the permission for every selected
   * message. A conditional decision (for example "only your squads'
   * messages") is applied to the selection: if it excludes any selected
   * message the request is refused, saying how many; otherwise the action
   * runs with the condition attached, so rows arriving meanwhile that the
   * user may not touch are left alone too. `count` counts a selection where
   * the action applies: stored messages, or the archive for a restore.
   * Returns the selection to act on and the user's entity ref.
   */
  const authorizeSelection = async <S extends Selection>(
    req: Request,
    permission: ResourcePermission,
    env: string,
    selection: S,
    count: (env: string, selection: Selection) => Promise<number>,
  ): Promise<{ selection: S; by: string }> => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const by = credentials.principal.userEntityRef;
    const [decision] = await permissions.authorizeConditional(
      [{ permission }],
      {
        credentials,
      },
    );
    const refused = `not allowed to ${permission.attributes.action} dead letters (${permission.name})`;
    if (decision.result === AuthorizeResult.ALLOW) return { selection, by };
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      throw new NotAllowedError(refused);
    }
    const allowed: PermissionCriteria<DeadLetterQuery> = transformConditions(
      decision.conditions,
    );
    const restricted = { ...selection, allowed };
    const [all, permitted] = await Promise.all([
      count(env, selection),
      count(env, restricted),
    ]);
    if (permitted < all) {
      throw new NotAllowedError(
        `${refused}: ${
          all - permitted
        } of the ${all} selected messages are outside what your permissions allow (for example, owned by a squad you are not a member of)`,
      );
    }
    return { selection: restricted, by };
  };

  const readDecisions = new PromiseCache<PolicyDecision[]>(
    config.readDecisionCacheSeconds * 1000,
  );
  /**
   * A person's read and read-unmasked decisions: conditional (per squad),
   * asked once and reused for a few seconds. Undefined for a service
   * principal, which sees metadata only.
   */
  const readDecisionsOf = (
    credentials: BackstageCredentials,
  ): Promise<PolicyDecision[]> | undefined => {
    const principal = credentials.principal as
      | BackstageUserPrincipal
      | BackstageServicePrincipal;
    if (principal.type !== 'user') return undefined;
    const { userEntityRef, actor } = principal;
    return readDecisions.get(`${userEntityRef} ${actor?.subject ?? ''}`, () =>
      permissions.authorizeConditional(
        [
          { permission: deadLetterMessageReadPermission },
          { permission: deadLetterMessageReadUnmaskedPermission },
        ],
        { credentials },
      ),
    );
  };

  /**
   * Asks a person's read decisions in the background, on the requests the
   * Dead Letter page makes before a message can be opened (the environments
   * first, then the table), so opening one, even by a link, finds them
   * ready. A failure is asked again when a message is opened.
   */
  const warmReadDecisions = (credentials: BackstageCredentials) => {
    readDecisionsOf(credentials)?.catch(() => {});
  };

  router.get('/environments', async (req, res) => {
    warmReadDecisions(await httpAuth.credentials(req));
    // The consumers' states come from memory and must be served while the
    // database is away; the last purges are then reported as unknown.
    const runs = await store.retentionRuns().catch(() => []);
    const body: EnvironmentStatus[] = config.environments.map(env => {
      const run = runs.find(r => r.environment === env.name);
      const status = environmentStatus(env.name) ?? {
        name: env.name,
        queue: env.amqp?.queue ?? '',
        state: 'stopped' as const,
        reason: 'consumer not started',
        stored: 0,
        logsUrlTemplate: env.logsUrlTemplate,
      };
      return {
        ...status,
        retention: {
          days: env.retention.days,
          lastRunAt: run?.lastRunAt ?? null,
          lastPurged: run?.lastPurged ?? null,
        },
      };
    });
    res.json(body);
  });

  router.get('/dead-letters', async (req, res) => {
    warmReadDecisions(await httpAuth.credentials(req));
    const {
      environment: env,
      limit,
      cursor,
      ...filter
    } = parseInput(listQuerySchema, req.query);
    environment(env);
    const page = await store.list(env, filter as DeadLetterFilter, {
      limit,
      cursor,
    });
    res.json({
      items: page.items.map(withLogs),
      totalCount: page.totalCount,
      nextCursor: page.nextCursor,
    });
  });

  router.get('/dead-letters/service-overview', async (req, res) => {
    await httpAuth.credentials(req);
    const q = parseInput(
      z
        .object({
          environment: z.string().min(1),
          squad: text().optional(),
        })
        .strict(),
      req.query,
    );
    environment(q.environment);
    res.json(await store.serviceOverview(q.environment, q.squad));
  });

  router.get('/dead-letters/squad-overview', async (req, res) => {
    await httpAuth.credentials(req);
    const q = parseInput(
      z.object({ environment: z.string().min(1) }).strict(),
      req.query,
    );
    environment(q.environment);
    res.json(await store.squadOverview(q.environment));
  });

  router.get('/dead-letters/error-groups', async (req, res) => {
    await httpAuth.credentials(req);
    const q = parseInput(
      z
        .object({
          environment: z.string().min(1),
          service: text().optional(),
        })
        .strict(),
      req.query,
    );
    environment(q.environment);
    res.json(await store.errorGroups(q.environment, q.service));
  });

  router.get('/dead-letters/histogram', async (req, res) => {
    await httpAuth.credentials(req);
    const q = parseInput(
      z
        .object({
          environment: z.string().min(1),
          groupBy: z.enum(['squad', 'service']).default('squad'),
          squad: text().optional(),
          service: text().optional(),
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 31)
            .default(24 * 7),
        })
        .strict(),
      req.query,
    );
    environment(q.environment);
    const now = Date.now();
    const from = new Date(
      Math.floor(now / 3_600_000 - q.hours + 1) * 3_600_000,
    );
    const buckets = await store.histogram(q.environment, {
      groupBy: q.groupBy,
      from,
      squad: q.squad,
      service: q.service,
    });
    res.json({ from: from.toISOString(), hours: q.hours, buckets });
  });

  /**
   * How much of a message's content the caller may see. Content is for
   * people: a service principal, which the permission framework would
   * allow everything, sees metadata only, so every view has a person to
   * audit. One conditional decision per permission is asked (not one per
   * message; reused for a few seconds per person) and applied to the
   * loaded row here.
   */
  const contentAccess = async (
    decisions: Promise<PolicyDecision[]> | undefined,
    row: DeadLetterResource,
  ): Promise<{ access: DeadLetterContentAccess; reason?: string }> => {
    if (!decisions) {
      return {
        access: 'none',
        reason: 'message content is shown to signed-in people only',
      };
    }
    const [read, unmasked] = await decisions;
    if (!authorizeResource(read, row)) {
      return {
        access: 'none',
        reason: row.squad
          ? `only members of ${row.squad} and the configured reader groups may read this message's content (${deadLetterMessageReadPermission.name})`
          : `this message's service has no owning squad in the catalog, so only the configured reader groups may read its content (${deadLetterMessageReadPermission.name})`,
      };
    }
    return { access: authorizeResource(unmasked, row) ? 'full' : 'masked' };
  };

  router.get('/dead-letters/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { id } = req.params;
    // Every look at a message is audited, including refused ones: who
    // (from the request), which message, which environment, what was shown.
    const event = await auditor.createEvent({
      eventId: 'dead-letter-read',
      severityLevel: 'medium',
      request: req,
      meta: { id },
    });
    let view;
    try {
      // The decisions are asked while the message is loaded.
      const decisions = readDecisionsOf(credentials);
      decisions?.catch(() => {});
      // Not a message id (or too large to be one): no such message.
      let row = ID_PATTERN.test(id) ? await store.get(id) : undefined;
      if (row && resolveSquads)
        [row] = await fillMissingSquads([row], { resolveSquads, store });
      if (!row) throw new NotFoundError(`no dead letter with id '${id}'`);
      const { access, reason } = await contentAccess(decisions, row);
      const env = environment(row.environment);
      const { headers: _h, properties: _p, body: _b, ...stored } = row;
      view = messageView({
        metadata: withLogs(stored),
        row,
        access,
        reason,
        rules: env.masking,
        readers: readersOf(row.squad, config.readers),
      });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    const meta = {
      id,
      environment: view.environment,
      access: view.content.access,
      masked: view.content.masked,
    };
    if (view.content.access === 'none') {
      await event.fail({
        meta,
        error: new NotAllowedError(view.content.reason ?? 'refused'),
      });
    } else {
      await event.success({ meta });
    }
    res.json(view);
  });

  /** What an audit event records about a selection. */
  const auditMeta = (env: string, selection: Selection): JsonObject =>
    'ids' in selection
      ? { environment: env, ids: selection.ids }
      : { environment: env, filter: { ...selection.filter } as JsonObject };

  const selectionOf = (body: z.infer<typeof selectionSchema>): Selection =>
    'ids' in body && body.ids
      ? { ids: body.ids }
      : { filter: (body as any).filter as DeadLetterFilter };

  /**
   * Runs a destructive action on a selection: audited (who, what, result),
   * for a user who passes the permission only. `by` is the user's entity
   * ref. Restores count their selection in the archive.
   */
  const destructive = async <S extends Selection>(
    req: Request,
    eventId: string,
    permission: ResourcePermission,
    body: { environment: string },
    selection: S,
    action: (
      env: BrokerEnvironmentConfig,
      selection: S,
      by: string,
    ) => Promise<JsonObject>,
    count: (env: string, selection: Selection) => Promise<number> = (e, s) =>
      store.count(e, s),
  ): Promise<JsonObject> => {
    const env = environment(body.environment);
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta: auditMeta(body.environment, selection),
    });
    try {
      if (!hasBroker(env)) {
        throw new ConflictError(
          `'${env.name}' holds read-only sample messages: redeliver and delete work on environments consumed from a broker`,
        );
      }
      const allowed = await authorizeSelection(
        req,
        permission,
        env.name,
        selection,
        count,
      );
      const result = await action(env, allowed.selection, allowed.by);
      await event.success({ meta: result });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  };

  /** A selection body, parsed before anything is audited. */
  const selectionBody = (req: Request) => {
    const body = parseInput(selectionSchema, req.body);
    return { body, selection: selectionOf(body) };
  };

  // Deleting is archiving: the messages stay restorable until they expire.
  router.delete('/dead-letters', async (req, res) => {
    const { body, selection } = selectionBody(req);
    const result = await destructive(
      req,
      'dead-letter-delete',
      deadLetterMessageDeletePermission,
      body,
      selection,
      async (env, allowed, by) => ({
        deleted: await store.delete(env.name, allowed, by),
      }),
    );
    res.json(result);
  });

  /**
   * Redelivers a selection and answers when it is done, for existing
   * clients and small selections: a redelivery job without a rate limit
   * (see RedeliveryService.redeliverNow).
   */
  router.post('/dead-letters/redeliver', async (req, res) => {
    let result: RedeliverResult = { redelivered: 0, failed: [] };
    const { body, selection: selected } = selectionBody(req);
    await destructive(
      req,
      'dead-letter-redeliver',
      deadLetterMessageRedeliverPermission,
      body,
      selected,
      async (env, selection, by) => {
        // What the broker confirmed is archived (reason `redelivered`).
        const { job, ...outcome } = await redeliveries.redeliverNow(
          env,
          selection,
          by,
        );
        result = outcome;
        return {
          job,
          redelivered: outcome.redelivered,
          failed: outcome.failed.length,
        };
      },
    );
    res.json(result);
  });

  // The archive: metadata for everyone signed in, like the list.
  router.get('/archive', async (req, res) => {
    await httpAuth.credentials(req);
    const {
      environment: env,
      limit,
      cursor,
      ...filter
    } = parseInput(archiveListQuerySchema, req.query);
    environment(env);
    const page = await store.listArchive(env, filter as DeadLetterFilter, {
      limit,
      cursor,
    });
    const items: ArchivedDeadLetter[] = page.items.map(withLogs);
    res.json({
      items,
      totalCount: page.totalCount,
      nextCursor: page.nextCursor,
    });
  });

  // Restoring undoes a delete, so it needs the delete permission, with the
  // same per-squad condition, checked against the archived rows.
  router.post('/archive/restore', async (req, res) => {
    const body = parseInput(restoreSchema, req.body);
    const result = await destructive(
      req,
      'dead-letter-restore',
      deadLetterMessageDeletePermission,
      body,
      { ids: body.ids },
      async (env, selection) => {
        const outcome = await store.restore(env.name, selection);
        return {
          restored: outcome.restored,
          skipped: outcome.skipped.map(s => ({ ...s })),
        };
      },
      (e, s) => store.countArchived(e, s),
    );
    res.json(result);
  });

  addRedeliveryRoutes(router, {
    redeliveries,
    httpAuth,
    permissions,
    auditor,
    authorizeResource,
    environment,
    selectionSchema,
    authorizeSelection: async (req, permission, env, selection) =>
      (
        await authorizeSelection(req, permission, env, selection, (e, s) =>
          store.count(e, s),
        )
      ).selection,
  });

  // Last: no answer carries SQL, a stack or a connection string; a lost
  // database is a 503 with Retry-After (see @internal/plugin-lunar-node).
  router.use(createSafeErrorMiddleware({ logger }));
  return router;
}
