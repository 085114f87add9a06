import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** How long one POST /refresh may take (it computes the component). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Between asks while the catalog does not have the component yet. */
const RETRY_MS = 1_000;

/**
 * `lunar:release-status:refresh`: asks the release-status backend to
 * compute a component's release status now (`POST
 * /api/release-status/refresh`, with the scaffolder's own service token),
 * so a service a template just created shows its status at once instead of
 * after the next scheduled refresh. While the catalog does not have the
 * component yet (a 404, e.g. right after `catalog:register`) it asks again
 * for up to `waitSeconds`. Any failure is a warning in the task log, not a
 * failed run: the component exists, and the scheduled refresh computes it
 * anyway.
 */
export function createRefreshReleaseStatusAction(opts: {
  auth: AuthService;
  discovery: DiscoveryService;
}) {
  const { auth, discovery } = opts;
  return createTemplateAction({
    id: 'lunar:release-status:refresh',
    description:
      "Computes a new component's release status now instead of at the next scheduled refresh",
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The component, e.g. component:default/payment-events (the register step output)',
            ),
        waitSeconds: z =>
          z
            .number()
            .int()
            .min(0)
            .max(300)
            .optional()
            .describe(
              'Ask again this long while the catalog does not have the component yet. Default: 0',
            ),
      },
      output: {
        computed: z =>
          z
            .boolean()
            .describe(
              'Whether the status was computed now (false: it comes with the next scheduled refresh)',
            ),
        computedAt: z =>
          z.string().optional().describe('When the status was computed'),
      },
    },
    async handler(ctx) {
      let entityRef: string;
      try {
        entityRef = stringifyEntityRef(
          parseEntityRef(ctx.input.entityRef, { defaultKind: 'component' }),
        );
      } catch (e) {
        throw new InputError(
          `entityRef ${JSON.stringify(
            ctx.input.entityRef,
          )} is not an entity reference: ${(e as Error).message}`,
        );
      }
      if (ctx.isDryRun) {
        ctx.output('computed', false);
        return;
      }
      const deadline = Date.now() + (ctx.input.waitSeconds ?? 0) * 1000;
      const later = 'it will be computed by the next scheduled refresh';
      try {
        const url = `${await discovery.getBaseUrl('release-status')}/refresh`;
        for (;;) {
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await auth.getOwnServiceCredentials(),
            targetPluginId: 'release-status',
          });
          const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS)];
          if (ctx.signal) signals.push(ctx.signal);
          const res = await fetch(url, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ entityRef }),
            signal: AbortSignal.any(signals),
          });
          if (res.ok) {
            const body = (await res.json()) as {
              computedAt?: string | null;
              freshness?: { lastError?: string };
            };
            ctx.logger.info(
              `Release status of ${entityRef} computed${
                body.freshness?.lastError
                  ? `, with a failing source: ${body.freshness.lastError}`
                  : ''
              }`,
            );
            ctx.output('computed', true);
            if (body.computedAt) ctx.output('computedAt', body.computedAt);
            return;
          }
          const text = await res.text();
          if (
            res.status === 404 &&
            Date.now() + RETRY_MS <= deadline &&
            !ctx.signal?.aborted
          ) {
            await sleep(RETRY_MS);
            continue;
          }
          let message = text.slice(0, 300);
          try {
            message = JSON.parse(text).error?.message ?? message;
          } catch {
            // Not JSON: the text as it came.
          }
          throw new Error(`release-status answered ${res.status}: ${message}`);
        }
      } catch (e) {
        ctx.logger.warn(
          `Could not compute the release status of ${entityRef} now (${
            (e as Error).message
          }); ${later}`,
        );
        ctx.output('computed', false);
      }
    },
  });
}
