import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  PullRequestsResponse,
  PulseResponse,
} from '@internal/plugin-squad-overview-common';
import { SquadOverviewApi } from './SquadOverviewApi';

/** Talks to the squad-overview backend through discovery and fetch. */
export class SquadOverviewClient implements SquadOverviewApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  pulse(squad: string, limit?: number) {
    return this.request<PulseResponse>('/pulse', { squad, limit });
  }

  pullRequests(owner: string) {
    return this.request<PullRequestsResponse>('/pull-requests', { owner });
  }

  private async request<T>(
    path: string,
    query: Record<string, string | number | undefined>,
  ): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('squad-overview');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const response = await this.fetchApi.fetch(`${base}${path}?${params}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
