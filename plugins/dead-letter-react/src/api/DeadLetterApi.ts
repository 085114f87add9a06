import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  DeadLetteredMessageDetail,
  DeadLetteredMessages,
  DeadLetterFilter,
  DeadLetterHistogram,
  DeadLetterSelection,
  DeleteResult,
  EnvironmentStatus,
  ErrorGroup,
  RedeliverResult,
  ServiceOverview,
  SquadOverview,
} from '@internal/plugin-dead-letter-common';

/** The dead-letter backend's API (`/api/dead-letter`), as the UI uses it. */
export interface DeadLetterApi {
  environments(): Promise<EnvironmentStatus[]>;
  list(
    environment: string,
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string },
  ): Promise<DeadLetteredMessages>;
  get(id: string): Promise<DeadLetteredMessageDetail>;
  squadOverview(environment: string): Promise<SquadOverview[]>;
  serviceOverview(
    environment: string,
    squad?: string,
  ): Promise<ServiceOverview[]>;
  errorGroups(environment: string, service?: string): Promise<ErrorGroup[]>;
  histogram(
    environment: string,
    options: { groupBy: 'squad' | 'service'; squad?: string; service?: string },
  ): Promise<DeadLetterHistogram>;
  redeliver(selection: DeadLetterSelection): Promise<RedeliverResult>;
  delete(selection: DeadLetterSelection): Promise<DeleteResult>;
}

/** The dead-letter API. */
export const deadLetterApiRef = createApiRef<DeadLetterApi>({
  id: 'plugin.dead-letter.service',
});
