import { createApiRef } from '@backstage/frontend-plugin-api';
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
  /** Deletes (archives) the selected messages. */
  delete(selection: DeadLetterSelection): Promise<DeleteResult>;
  /** Deleted and redelivered messages, latest archived first. */
  listArchive(
    environment: string,
    filter: DeadLetterFilter & { archiveReason?: ArchiveReason },
    page: { limit: number; cursor?: string },
  ): Promise<ArchivedDeadLetters>;
  /** Moves archived messages back, with the id they had. */
  restore(request: RestoreRequest): Promise<RestoreResult>;
  /** What a redelivery job would do (nothing is stored or published). */
  previewRedelivery(
    request: Omit<CreateRedeliveryRequest, 'dryRun'>,
  ): Promise<RedeliveryDryRun>;
  /** Starts a redelivery job; answers at once with it. */
  createRedelivery(
    request: Omit<CreateRedeliveryRequest, 'dryRun'>,
  ): Promise<RedeliveryJob>;
  /** An environment's redelivery jobs, newest first. */
  redeliveries(environment: string): Promise<RedeliveryJobs>;
  redelivery(id: string): Promise<RedeliveryJob>;
  controlRedelivery(
    id: string,
    action: 'pause' | 'resume' | 'cancel',
  ): Promise<RedeliveryJob>;
}

/** The dead-letter API. */
export const deadLetterApiRef = createApiRef<DeadLetterApi>({
  id: 'plugin.dead-letter.service',
});
