import { Drift } from '@internal/plugin-release-status-common';

/** A released commit, as git knows it. */
export interface GitCommit {
  sha: string;
  author: string;
  message: string;
  /** ISO */
  committedAt: string;
  url: string | null;
}

/** Where an environment's tag points and how far behind it is. */
export interface GitEnvironment {
  commit: GitCommit;
  drift: Drift;
}

/** What git says about a repository's environments. */
export interface GitFacts {
  defaultBranch: string;
  /** The repository's web page (GitHub's), for compare links; null for local git. */
  webUrl: string | null;
  head: GitCommit;
  /** By environment name; absent when the repository has no such tag. */
  environments: Map<string, GitEnvironment>;
}

/** A repository as the catalog describes it. */
export interface RepositoryRef {
  /** `owner/repo` from the github.com/project-slug annotation. */
  projectSlug?: string;
  /** The repository's name: the slug's last part or its folder's name. */
  name: string;
}

/**
 * Reads environment tags and drift from git. `undefined` means the source
 * cannot find the repository; errors mean it could not be asked.
 */
export interface GitSource {
  readonly kind: 'github' | 'local';
  /** Whether this source is the one for `repo` (e.g. GitHub needs a slug). */
  handles(repo: RepositoryRef): boolean;
  read(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<GitFacts | undefined>;
  /**
   * A cheap check of what `read` would say: the branch head and the
   * environment tags; undefined when the repository is not found. Equal
   * versions mean unchanged facts, so a refresh skips `read`.
   */
  version?(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<string | undefined>;
}

/**
 * A source answered, but not with facts: `error` when it refused (auth,
 * bad request), `unreachable` when it could not answer (network, 5xx).
 */
export class SourceError extends Error {
  constructor(message: string, readonly state: 'error' | 'unreachable') {
    super(message);
    this.name = 'SourceError';
  }
}
