export interface Config {
  releaseStatus?: {
    /**
     * Environments in promotion order, the last being production (default
     * dev, staging, prod); shared with the backend.
     * @visibility frontend
     */
    environments?: string[];
    /**
     * When a drift badge turns amber (warning) or red (error): at this many
     * commits behind, or when the oldest unreleased commit is this many
     * days old, whichever comes first. Defaults: warning 10 commits or
     * 7 days, error 30 commits or 30 days.
     * @visibility frontend
     */
    driftThresholds?: {
      /** @visibility frontend */
      warning?: {
        /** @visibility frontend */
        commits?: number;
        /** @visibility frontend */
        days?: number;
      };
      /** @visibility frontend */
      error?: {
        /** @visibility frontend */
        commits?: number;
        /** @visibility frontend */
        days?: number;
      };
    };
  };
}
