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
