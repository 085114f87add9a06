export interface Config {
  /** Squad overview backend: the pulse feed and open pull requests. */
  squadOverview?: {
    /** How the catalog is watched for services added, removed or moved. */
    catalogChanges?: {
      /** Seconds between two looks at the catalog (default 60). */
      frequencySeconds?: number;
      /** Seconds after start before the first look, so the catalog has loaded (default 60). */
      initialDelaySeconds?: number;
    };
    /** Days pulse entries are kept (default 90). */
    retentionDays?: number;
    /** release-manager's AMQP events (released, releaseSucceeded, releaseFailed, newArtifact); off when absent. */
    releaseEvents?: {
      amqp: {
        /**
         * e.g. amqp://user:password@rabbitmq:5672
         * @visibility secret
         */
        url: string;
        /** release-manager's exchange (default release-manager). */
        exchange?: string;
        /** Its type (default topic). */
        exchangeType?: string;
        /** The portal's own durable queue, bound with `#` (default backstage-squad-pulse). */
        queue?: string;
        /** Unacknowledged events at a time (default 20). */
        prefetch?: number;
      };
    };
    /** Open pull requests through the GitHub integration (integrations.github). */
    pullRequests?: {
      /** Host of the GitHub integration to use (default github.com). */
      githubHost?: string;
      /** Seconds a squad's pull requests are cached (default 300). */
      cacheSeconds?: number;
      /** Newest open pull requests read per repository, at most 100 (default 20). */
      perRepository?: number;
    };
  };
}
