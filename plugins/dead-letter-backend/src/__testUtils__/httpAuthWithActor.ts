import {
  coreServices,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';

const SERVICE_TOKEN = 'mock-service-token:';

/**
 * The test backend's mock HTTP auth, except that a plugin's request on
 * behalf of a user carries the calling plugin as the user's actor, as real
 * Backstage tokens do. The permission framework needs that to tell a
 * plugin's on-behalf-of request from a user calling directly.
 */
export const httpAuthWithActorFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): HttpAuthService {
    const inner = mockServices.httpAuth({ pluginId: plugin.getId() });
    return {
      async credentials(req, options) {
        const header = req.headers.authorization ?? '';
        const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
        if (token?.startsWith(SERVICE_TOKEN)) {
          const { obo, target } = JSON.parse(token.slice(SERVICE_TOKEN.length));
          if (obo && (!target || target === plugin.getId())) {
            if (
              options?.allow &&
              !(options.allow as string[]).includes('user')
            ) {
              throw new NotAllowedError(
                "This endpoint does not allow 'user' credentials",
              );
            }
            return mockCredentials.user(obo, {
              actor: { subject: 'plugin' },
            }) as any;
          }
        }
        return inner.credentials(req, options);
      },
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
    };
  },
});
