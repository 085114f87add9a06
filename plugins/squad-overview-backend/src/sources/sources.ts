import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  DeadLetterHistogram,
  EnvironmentStatus,
  ServiceOverview,
} from '@internal/plugin-dead-letter-common';
import { ReleaseOverview } from '@internal/plugin-release-status-common';
import { PluginApiClient } from './PluginApiClient';

/** The dead-letter backend's read API, as the overview uses it. */
export interface DeadLetterSource {
  environments(credentials: BackstageCredentials): Promise<EnvironmentStatus[]>;
  /** Dead letters per service, of one squad (by squad name) or all. */
  serviceOverview(
    environment: string,
    squad: string | undefined,
    credentials: BackstageCredentials,
  ): Promise<ServiceOverview[]>;
  /** Hourly dead letters per service of one squad, the last 7 days. */
  serviceHistogram(
    environment: string,
    squad: string,
    credentials: BackstageCredentials,
  ): Promise<DeadLetterHistogram>;
}

/** The release-status backend's read API, as the overview uses it. */
export interface ReleaseStatusSource {
  /** Every releasable component's status, or one owner's. */
  overview(
    owner: string | undefined,
    credentials: BackstageCredentials,
  ): Promise<ReleaseOverview>;
}

/** The dead-letter backend over HTTP (`/api/dead-letter`). */
export function deadLetterSource(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): DeadLetterSource {
  const api = new PluginApiClient({ ...deps, pluginId: 'dead-letter' });
  return {
    environments: credentials =>
      api.get<EnvironmentStatus[]>('/environments', {}, credentials),
    serviceOverview: (environment, squad, credentials) =>
      api.get<ServiceOverview[]>(
        '/dead-letters/service-overview',
        { environment, squad },
        credentials,
      ),
    serviceHistogram: (environment, squad, credentials) =>
      api.get<DeadLetterHistogram>(
        '/dead-letters/histogram',
        { environment, groupBy: 'service', squad },
        credentials,
      ),
  };
}

/** The release-status backend over HTTP (`/api/release-status`). */
export function releaseStatusSource(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): ReleaseStatusSource {
  const api = new PluginApiClient({ ...deps, pluginId: 'release-status' });
  return {
    overview: (owner, credentials) =>
      api.get<ReleaseOverview>('/overview', { owner }, credentials),
  };
}
