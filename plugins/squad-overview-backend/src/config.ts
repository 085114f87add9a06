import { Config } from '@backstage/config';

/** release-manager's AMQP events, consumed into the pulse. */
export interface ReleaseEventsConfig {
  url: string;
  exchange: string;
  exchangeType: string;
  queue: string;
  prefetch: number;
}

export interface SquadOverviewConfig {
  catalogChanges: { frequencySeconds: number; initialDelaySeconds: number };
  retentionDays: number;
  releaseEvents?: ReleaseEventsConfig;
  pullRequests: {
    githubHost: string;
    cacheSeconds: number;
    perRepository: number;
  };
}

function positive(config: Config | undefined, key: string, fallback: number) {
  const value = config?.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`squadOverview.${key} must be a positive number`);
  }
  return value;
}

/** Reads `squadOverview` with its defaults; bad values fail at start-up. */
export function readSquadOverviewConfig(root: Config): SquadOverviewConfig {
  const config = root.getOptionalConfig('squadOverview');
  const amqp = config?.getOptionalConfig('releaseEvents.amqp');
  const perRepository = positive(config, 'pullRequests.perRepository', 20);
  if (perRepository > 100) {
    throw new Error(
      'squadOverview.pullRequests.perRepository must be at most 100',
    );
  }
  return {
    catalogChanges: {
      frequencySeconds: positive(config, 'catalogChanges.frequencySeconds', 60),
      initialDelaySeconds: positive(
        config,
        'catalogChanges.initialDelaySeconds',
        60,
      ),
    },
    retentionDays: positive(config, 'retentionDays', 90),
    releaseEvents: amqp && {
      url: amqp.getString('url'),
      exchange: amqp.getOptionalString('exchange') ?? 'release-manager',
      exchangeType: amqp.getOptionalString('exchangeType') ?? 'topic',
      queue: amqp.getOptionalString('queue') ?? 'backstage-squad-pulse',
      prefetch: positive(config, 'releaseEvents.amqp.prefetch', 20),
    },
    pullRequests: {
      githubHost:
        config?.getOptionalString('pullRequests.githubHost') ?? 'github.com',
      cacheSeconds: positive(config, 'pullRequests.cacheSeconds', 300),
      perRepository,
    },
  };
}
