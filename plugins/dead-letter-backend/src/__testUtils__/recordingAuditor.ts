import {
  AuditorService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/** One finished audit event, as a test reads it. */
export interface RecordedAuditEvent {
  eventId: string;
  /** The user's entity ref, `service:<subject>` or `none`, from the request. */
  actor: string | undefined;
  severityLevel: string | undefined;
  status: 'succeeded' | 'failed';
  meta: JsonObject;
  error?: string;
}

/**
 * An auditor that keeps every finished event in memory, with the actor
 * taken from the request's credentials as the default auditor does.
 */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const factory = createServiceFactory({
    service: coreServices.auditor,
    deps: { httpAuth: coreServices.httpAuth },
    factory({ httpAuth }): AuditorService {
      return {
        async createEvent(options) {
          let actor: string | undefined;
          if (options.request) {
            const { principal } = await httpAuth.credentials(options.request);
            const p = principal as any;
            if (p.type === 'user') actor = p.userEntityRef;
            else if (p.type === 'service') actor = `service:${p.subject}`;
            else actor = 'none';
          }
          const record =
            (status: RecordedAuditEvent['status']) =>
            async (o?: { meta?: JsonObject; error?: Error }) => {
              events.push({
                eventId: options.eventId,
                actor,
                severityLevel: options.severityLevel,
                status,
                meta: { ...options.meta, ...o?.meta },
                ...(o?.error ? { error: o.error.message } : {}),
              });
            };
          return { success: record('succeeded'), fail: record('failed') };
        },
      };
    },
  });
  return { events, factory };
}
