import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ReleaseOverview,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';
import { ReleaseStatusApi } from './ReleaseStatusApi';

/** Talks to the release-status backend through discovery and fetch. */
export class ReleaseStatusClient implements ReleaseStatusApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  status(entityRef: string, options: { refresh?: boolean } = {}) {
    return this.get<ReleaseStatus>('/status', {
      entityRef,
      refresh: options.refresh ? 'true' : undefined,
    });
  }

  overview(options: { owner?: string; refresh?: boolean } = {}) {
    return this.get<ReleaseOverview>('/overview', {
      owner: options.owner,
      refresh: options.refresh ? 'true' : undefined,
    });
  }

  refresh(entityRef: string) {
    return this.request<ReleaseStatus>('/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entityRef }),
    });
  }

  private get<T>(
    path: string,
    query: Record<string, string | undefined>,
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, value);
    }
    const qs = params.toString();
    return this.request<T>(`${path}${qs ? `?${qs}` : ''}`);
  }

  private async request<T>(pathAndQuery: string, init?: RequestInit) {
    const base = await this.discoveryApi.getBaseUrl('release-status');
    const response = await this.fetchApi.fetch(`${base}${pathAndQuery}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
