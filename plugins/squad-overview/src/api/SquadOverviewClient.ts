import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  SquadOverviewResponse,
  SquadsOverviewResponse,
} from '@internal/plugin-squad-overview-common';
import { SquadOverviewApi } from './SquadOverviewApi';

/** Talks to the squad-overview backend through discovery and fetch. */
export class SquadOverviewClient implements SquadOverviewApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  /**
   * A squad's three cards (overview, Open PRs, Pulse) render from the same
   * answer and load together: a GET still on its way is shared rather than
   * sent again, and forgotten once it settles (no caching).
   */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  squadOverview(squad: string) {
    return this.request<SquadOverviewResponse>('/overview', { squad });
  }

  squadsOverview() {
    return this.request<SquadsOverviewResponse>('/squads/overview', {});
  }

  private request<T>(
    path: string,
    query: Record<string, string | number | undefined>,
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const qs = params.toString();
    const key = `${path}${qs ? `?${qs}` : ''}`;
    const pending = this.pending.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const request = this.get<T>(key).finally(() => this.pending.delete(key));
    this.pending.set(key, request);
    return request;
  }

  private async get<T>(pathAndQuery: string): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('squad-overview');
    const response = await this.fetchApi.fetch(`${base}${pathAndQuery}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
