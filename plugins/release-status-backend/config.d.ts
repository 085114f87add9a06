export interface Config {
  /** Release status: what is released where, and drift behind the default branch. */
  releaseStatus?: {
    /**
     * Environments in promotion order, the last being production
     * (default dev, staging, prod). Also the git tag names release-manager
     * writes.
     * @visibility frontend
     */
    environments?: string[];
    /** release-manager's HTTP API; without it, only git is asked. */
    releaseManager?: {
      /** e.g. https://release-manager.example.com */
      baseUrl: string;
      /**
       * Bearer token; never sent to the browser.
       * @visibility secret
       */
      token: string;
      /** Request timeout in milliseconds (default 10000). */
      timeoutMs?: number;
    };
    /** Where drift is computed from. */
    git?: {
      /**
       * Folder of local git repositories named like the catalog's
       * repositories (the github.com/project-slug's name or the source
       * folder's name). Used for components GitHub does not serve.
       */
      localDirectory?: string;
      /**
       * Host of the GitHub integration (integrations.github) whose API
       * compares tags for components with a github.com/project-slug
       * annotation (default github.com).
       */
      githubHost?: string;
      /**
       * The branch drift is measured against, for GitHub and local
       * repositories alike; default each repository's own default branch.
       */
      defaultBranch?: string;
    };
    /**
     * No longer read: statuses are computed ahead by the scheduled refresh
     * (releaseStatus.refresh) and answered from the database.
     * @deprecated ignored; statuses are computed ahead (releaseStatus.refresh)
     */
    cacheSeconds?: number;
    /** The scheduled refresh that computes every component's status ahead. */
    refresh?: {
      /**
       * Seconds between refreshes of every component (default 300); one
       * replica runs each refresh.
       */
      frequencySeconds?: number;
      /** Components computed at once (default 4). */
      concurrency?: number;
      /**
       * Seconds after which a component whose sources look unchanged is
       * recomputed anyway, e.g. for changed auto-release policies
       * (default 3600).
       */
      maxAgeSeconds?: number;
      /**
       * Seconds after a release-manager event (passed on by
       * squad-overview-backend from its AMQP feed) until the service's
       * components are recomputed; events of a service in that time are
       * taken together (default 5).
       */
      releaseEventDelaySeconds?: number;
    };
  };
}
