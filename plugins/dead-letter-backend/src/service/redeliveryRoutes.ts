import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  DeadLetterFilter,
  deadLetterMessageRedeliverPermission,
} from '@internal/plugin-dead-letter-common';
import {
  AuthorizeResult,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { Request, Router } from 'express';
import { parseInput } from '@internal/plugin-lunar-node';
import { z } from 'zod';
import { EnvironmentConfig, hasBroker } from '../config';
import { Selection } from '../database/DeadLetterStore';
import { DeadLetterResource } from '../permissions';
import { RedeliveryService } from './RedeliveryService';

const paceSchema = z
  .object({
    rate: z.number().positive().max(100_000).optional(),
    ramp: z
      .array(
        z
          .object({
            rate: z.number().positive().max(100_000),
            seconds: z.number().int().min(1).max(3600),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    dryRun: z.boolean().optional(),
    previewToken: z.string().min(1).max(100).optional(),
  })
  .strict();

/** What the dead-letter router lends the redelivery job routes. */
export interface RedeliveryRouteDeps {
  redeliveries: RedeliveryService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  authorizeResource: (
    decision: PolicyDecision,
    resource: DeadLetterResource,
  ) => boolean;
  /** A configured environment; InputError when unknown. */
  environment: (name: string) => EnvironmentConfig;
  /** Parses with a zod schema; InputError with the first issue. */
  /** The `{ environment, ids | filter }` body of destructive actions. */
  selectionSchema: z.ZodTypeAny;
  /** See createRouter: the whole selection must pass the permission. */
  authorizeSelection: (
    req: Request,
    permission: ResourcePermission,
    env: string,
    selection: Selection,
  ) => Promise<Selection>;
}

/**
 * Redelivery jobs: POST /redeliveries (202 and the job, or a dry run),
 * GET /redeliveries, GET /redeliveries/:id, and POST
 * /redeliveries/:id/pause|resume|cancel. Parses, authorizes, audits and
 * hands over to RedeliveryService.
 */
export function addRedeliveryRoutes(router: Router, deps: RedeliveryRouteDeps) {
  const {
    redeliveries,
    httpAuth,
    permissions,
    auditor,
    authorizeResource,
    environment,
  } = deps;

  router.post('/redeliveries', async (req, res) => {
    const { principal } = await httpAuth.credentials(req, { allow: ['user'] });
    const { rate, ramp, dryRun, previewToken, ...rest } = (
      req.body && typeof req.body === 'object' ? req.body : {}
    ) as Record<string, unknown>;
    const pace = parseInput(paceSchema, { rate, ramp, dryRun, previewToken });
    const body = parseInput(deps.selectionSchema, rest) as {
      environment: string;
      ids?: string[];
      filter?: DeadLetterFilter;
    };
    const env = environment(body.environment);
    const selection: Selection = body.ids
      ? { ids: body.ids }
      : { filter: body.filter ?? {} };
    const event = await auditor.createEvent({
      eventId: 'dead-letter-redelivery-create',
      severityLevel: 'medium',
      request: req,
      meta: {
        environment: env.name,
        ...('ids' in selection
          ? { ids: selection.ids }
          : { filter: { ...selection.filter } as JsonObject }),
        ...(pace as JsonObject),
      },
    });
    try {
      if (!hasBroker(env)) {
        throw new ConflictError(
          `'${env.name}' holds read-only sample messages: redeliver and delete work on environments consumed from a broker`,
        );
      }
      const allowed = await deps.authorizeSelection(
        req,
        deadLetterMessageRedeliverPermission,
        env.name,
        selection,
      );
      if (pace.dryRun) {
        const preview = await redeliveries.dryRun(
          env,
          allowed,
          pace,
          principal.userEntityRef,
        );
        await event.success({ meta: { dryRun: true, total: preview.total } });
        res.json(preview);
        return;
      }
      const job = await redeliveries.create(
        env,
        allowed,
        principal.userEntityRef,
        pace,
      );
      await event.success({
        meta: { job: job.id, total: job.progress.total, state: job.state },
      });
      res.status(202).json(job);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/redeliveries', async (req, res) => {
    await httpAuth.credentials(req);
    const q = parseInput(
      z
        .object({
          environment: z.string().min(1),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        })
        .strict(),
      req.query,
    );
    environment(q.environment);
    res.json({ items: await redeliveries.list(q.environment, q.limit) });
  });

  router.get('/redeliveries/:id', async (req, res) => {
    await httpAuth.credentials(req);
    res.json(await redeliveries.get(req.params.id));
  });

  /**
   * Pause, resume and cancel need the redeliver permission for every
   * message of the job: a conditional decision is applied to each squad
   * and service among its items.
   */
  const control =
    (action: 'pause' | 'resume' | 'cancel') =>
    async (req: Request, res: any) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user'],
      });
      const { id } = req.params;
      const event = await auditor.createEvent({
        eventId: `dead-letter-redelivery-${action}`,
        severityLevel: 'medium',
        request: req,
        meta: { job: id },
      });
      try {
        const job = await redeliveries.stored(id);
        const [decision] = await permissions.authorizeConditional(
          [{ permission: deadLetterMessageRedeliverPermission }],
          { credentials },
        );
        const refused = `not allowed to ${action} redelivery job ${id} (${deadLetterMessageRedeliverPermission.name})`;
        if (decision.result === AuthorizeResult.DENY) {
          throw new NotAllowedError(refused);
        }
        if (decision.result === AuthorizeResult.CONDITIONAL) {
          const outside = (await redeliveries.owners(id)).filter(
            owner =>
              !authorizeResource(decision, {
                id: job.id,
                environment: job.environment,
                squad: owner.squad,
                service: owner.service,
              }),
          );
          if (outside.length) {
            const squads = [
              ...new Set(outside.map(o => o.squad ?? '(no squad)')),
            ];
            throw new NotAllowedError(
              `${refused}: it redelivers messages of ${squads.join(
                ', ',
              )}, outside what your permissions allow`,
            );
          }
        }
        const result = await redeliveries.control(id, action);
        await event.success({
          meta: {
            job: id,
            environment: result.environment,
            state: result.state,
            published: result.progress.published,
            remaining: result.progress.remaining,
          },
        });
        res.json(result);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    };
  router.post('/redeliveries/:id/pause', control('pause'));
  router.post('/redeliveries/:id/resume', control('resume'));
  router.post('/redeliveries/:id/cancel', control('cancel'));
}
