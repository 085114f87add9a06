import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ArchivedDeadLetters,
  ArchiveReason,
  DeadLetteredMessageDetail,
  DeadLetteredMessages,
  DeadLetterFilter,
  DeadLetterHistogram,
  DeadLetterSelection,
  DeleteResult,
  EnvironmentStatus,
  ErrorGroup,
  RedeliverResult,
  RestoreRequest,
  RestoreResult,
  CreateRedeliveryRequest,
  RedeliveryDryRun,
  RedeliveryJob,
  RedeliveryJobs,
  ServiceOverview,
  SquadOverview,
} from '@internal/plugin-dead-letter-common';
import { DeadLetterApi } from './DeadLetterApi';

type Query = Record<string, string | number | undefined>;

/** Talks to the dead-letter backend through discovery and fetch. */
export class DeadLetterClient implements DeadLetterApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  environments() {
    return this.request<EnvironmentStatus[]>('GET', '/environments');
  }

  list(
    environment: string,
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string },
  ) {
    return this.request<DeadLetteredMessages>('GET', '/dead-letters', {
      query: { environment, ...filter, ...page },
    });
  }

  get(id: string) {
    return this.request<DeadLetteredMessageDetail>(
      'GET',
      `/dead-letters/${encodeURIComponent(id)}`,
    );
  }

  squadOverview(environment: string) {
    return this.request<SquadOverview[]>(
      'GET',
      '/dead-letters/squad-overview',
      {
        query: { environment },
      },
    );
  }

  serviceOverview(environment: string, squad?: string) {
    return this.request<ServiceOverview[]>(
      'GET',
      '/dead-letters/service-overview',
      { query: { environment, squad } },
    );
  }

  errorGroups(environment: string, service?: string) {
    return this.request<ErrorGroup[]>('GET', '/dead-letters/error-groups', {
      query: { environment, service },
    });
  }

  histogram(
    environment: string,
    options: { groupBy: 'squad' | 'service'; squad?: string; service?: string },
  ) {
    return this.request<DeadLetterHistogram>('GET', '/dead-letters/histogram', {
      query: { environment, ...options },
    });
  }

  redeliver(selection: DeadLetterSelection) {
    return this.request<RedeliverResult>('POST', '/dead-letters/redeliver', {
      body: selection,
    });
  }

  delete(selection: DeadLetterSelection) {
    return this.request<DeleteResult>('DELETE', '/dead-letters', {
      body: selection,
    });
  }

  listArchive(
    environment: string,
    filter: DeadLetterFilter & { archiveReason?: ArchiveReason },
    page: { limit: number; cursor?: string },
  ) {
    return this.request<ArchivedDeadLetters>('GET', '/archive', {
      query: { environment, ...filter, ...page },
    });
  }

  restore(request: RestoreRequest) {
    return this.request<RestoreResult>('POST', '/archive/restore', {
      body: request,
    });
  }

  previewRedelivery(request: Omit<CreateRedeliveryRequest, 'dryRun'>) {
    return this.request<RedeliveryDryRun>('POST', '/redeliveries', {
      body: { ...request, dryRun: true },
    });
  }

  createRedelivery(request: Omit<CreateRedeliveryRequest, 'dryRun'>) {
    return this.request<RedeliveryJob>('POST', '/redeliveries', {
      body: request,
    });
  }

  redeliveries(environment: string) {
    return this.request<RedeliveryJobs>('GET', '/redeliveries', {
      query: { environment },
    });
  }

  redelivery(id: string) {
    return this.request<RedeliveryJob>(
      'GET',
      `/redeliveries/${encodeURIComponent(id)}`,
    );
  }

  controlRedelivery(id: string, action: 'pause' | 'resume' | 'cancel') {
    return this.request<RedeliveryJob>(
      'POST',
      `/redeliveries/${encodeURIComponent(id)}/${action}`,
    );
  }

  private async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('dead-letter');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    const res = await this.fetchApi.fetch(
      `${base}${path}${qs ? `?${qs}` : ''}`,
      {
        method,
        headers:
          options.body === undefined
            ? undefined
            : { 'Content-Type': 'application/json' },
        body:
          options.body === undefined ? undefined : JSON.stringify(options.body),
      },
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}
