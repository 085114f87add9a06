import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SquadResolver } from '../consumer/DeadLetterConsumer';

/**
 * Looks up the owner of each service's catalog component (by name, in the
 * default namespace) and caches the answer, so a burst of dead letters costs
 * one catalog call per new service, not one per message. Unknown services
 * are cached for at most 30 seconds.
 */
export function createSquadResolver(options: {
  catalog: CatalogService;
  auth: AuthService;
  ttlSeconds: number;
}): SquadResolver {
  const cache = new Map<string, { squad: string | null; expires: number }>();
  return async services => {
    const now = Date.now();
    const result = new Map<string, string | null>();
    const missing: string[] = [];
    for (const service of services) {
      const hit = cache.get(service);
      if (hit && hit.expires > now) result.set(service, hit.squad);
      else missing.push(service);
    }
    if (missing.length > 0) {
      const { items } = await options.catalog.getEntitiesByRefs(
        {
          entityRefs: missing.map(
            s => `component:default/${s.toLocaleLowerCase('en-US')}`,
          ),
          fields: ['spec.owner'],
        },
        { credentials: await options.auth.getOwnServiceCredentials() },
      );
      missing.forEach((service, i) => {
        const owner = items[i]?.spec?.owner;
        let squad: string | null = null;
        if (typeof owner === 'string') {
          try {
            squad = parseEntityRef(owner, { defaultKind: 'group' }).name;
          } catch {
            squad = null;
          }
        }
        // A service the catalog does not know (yet: it may still be
        // filling after a start) is asked again sooner.
        const ttl = squad
          ? options.ttlSeconds
          : Math.min(options.ttlSeconds, 30);
        cache.set(service, { squad, expires: now + ttl * 1000 });
        result.set(service, squad);
      });
    }
    return result;
  };
}
