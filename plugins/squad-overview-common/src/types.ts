import { ReleaseStatus } from '@internal/plugin-release-status-common';

/**
 * What a stored pulse entry says happened. Catalog changes are seen by the
 * backend's catalog tracker; release events come from release-manager's
 * AMQP exchange (`released`, `releaseSucceeded`, `releaseFailed`,
 * `newArtifact`).
 */
export type PulseEventKind =
  | 'service-added'
  | 'service-removed'
  | 'owner-changed'
  | 'released'
  | 'release-succeeded'
  | 'release-failed'
  | 'new-artifact';

/** One entry of a squad's pulse, as the backend stores it. */
export interface PulseEvent {
  id: string;
  kind: PulseEventKind;
  /** When it happened (ISO). */
  occurredAt: string;
  /** The squad it concerns, e.g. `group:default/squad-nasa`. */
  squad: string;
  /** The component it concerns, when the catalog knows it. */
  entityRef: string | null;
  /** The service's name (the component's or release-manager's). */
  service: string;
  environment: string | null;
  /** Who did it, when known (release author, ...). */
  actor: string | null;
  /** release-manager's artifact id, for release events. */
  artifactId: string | null;
  /** One sentence for people, e.g. "authentication was released to prod by Ada". */
  summary: string;
}

/** GET /pulse?squad= */
export interface PulseResponse {
  items: PulseEvent[];
  /** Which feeds this installation has, so the UI can say what is missing. */
  sources: {
    /** The catalog tracker always runs. */
    catalog: true;
    /** Whether release-manager's AMQP events are consumed. */
    releaseEvents: boolean;
  };
}

/** An open pull request in one of a squad's repositories. */
export interface PullRequest {
  /** `owner/repo` */
  repository: string;
  number: number;
  title: string;
  url: string;
  author: string | null;
  draft: boolean;
  /** ISO */
  updatedAt: string;
  /** The squad's component(s) in that repository. */
  entityRefs: string[];
}

/**
 * GET /pull-requests?owner=. `not-configured`: no GitHub integration, or
 * none of the squad's components has a `github.com/project-slug`;
 * `error`: GitHub refused or failed (message says why).
 */
export interface PullRequestsResponse {
  state: 'ok' | 'not-configured' | 'error';
  message?: string;
  /** Newest update first. */
  items: PullRequest[];
  /** Repositories asked; those GitHub did not find are in `missing`. */
  repositories: number;
  missing: string[];
}

/**
 * A section of an overview that comes from one source (the dead-letter
 * backend, the release-status backend, GitHub, the pulse store). When that
 * source fails, `error` says why and the section's data is empty; the rest
 * of the answer is unaffected.
 */
export interface SectionError {
  /** Why the source could not be read, e.g. "dead-letter backend: 503 Service Unavailable". */
  message: string;
}

/** One component a squad owns, joined with every source's numbers. */
export interface SquadService {
  /** e.g. `component:default/card-clearing` */
  entityRef: string;
  name: string;
  title: string | null;
  /** `spec.type` (`other` when missing). */
  type: string;
  lifecycle: string | null;
  /** Dead letters per dead-letter environment (absent: none). */
  deadLetters: Record<string, number>;
  /** Release status (drift per environment); null when release-status has none. */
  release: ReleaseStatus | null;
  /** Open pull requests of the component's repository; null when unknown. */
  openPullRequests: number | null;
}

/** One line of a squad's pulse, wherever it came from. */
export interface PulseEntry {
  key: string;
  /** ISO */
  at: string;
  kind: PulseEventKind | 'dead-letter-burst';
  summary: string;
  /** The component it concerns, to link to. */
  entityRef: string | null;
  /** The tab of that component to open (`/releases`, `/dead-letter`, or ``). */
  tab: string;
  /**
   * The environment a release or dead-letter burst happened in, so the
   * pulse can put it on that environment's time axis; null for catalog
   * changes and new artifacts. Absent only from older backends.
   */
  environment?: string | null;
}

/**
 * GET /overview?squad=: everything a squad's page shows, in one answer.
 * Components come from the catalog as the caller sees it; each other
 * source is a section with its own `error`.
 */
export interface SquadOverviewResponse {
  squad: { entityRef: string; name: string; title: string };
  /** The squad's components the caller can see, by name. */
  services: SquadService[];
  deadLetters: {
    /** Dead-letter environments, in the dead-letter backend's order. */
    environments: string[];
    error?: SectionError;
  };
  releases: {
    /** Release environments in promotion order (the last is production). */
    environments: string[];
    error?: SectionError;
  };
  /** The squad's open pull requests (state `error` when GitHub failed). */
  pullRequests: PullRequestsResponse;
  pulse: {
    /** Newest first, at most 50. */
    items: PulseEntry[];
    /** Whether release-manager's AMQP events are consumed. */
    releaseEvents: boolean;
    /** Parts of the pulse that could not be read (releases, dead-letter bursts). */
    missing: SectionError[];
    /** The stored pulse could not be read. */
    error?: SectionError;
  };
}

/** One row of the Squads page. */
export interface SquadSummary {
  entityRef: string;
  name: string;
  title: string;
  members: number;
  servicesByType: Record<string, number>;
  services: number;
  /** Dead letters per dead-letter environment. */
  deadLetters: Record<string, number>;
  /** Services behind the default branch in production; null: unknown. */
  behindInProduction: number | null;
}

/** An owner group that is not in the catalog, and what it is said to own. */
export interface UnknownOwner {
  entityRef: string;
  name: string;
  /** Component refs, sorted. */
  components: string[];
}

/** GET /squads/overview: every squad with its numbers, in one answer. */
export interface SquadsOverviewResponse {
  /** Largest first (services), then by name. */
  squads: SquadSummary[];
  deadLetters: { environments: string[]; error?: SectionError };
  releases: {
    /** The production (last) release environment, when known. */
    production: string | null;
    error?: SectionError;
  };
  /** Owners of components that are neither a squad nor any group the caller sees. */
  unknownOwners: { items: UnknownOwner[]; error?: SectionError };
}
