export interface Config {
  /** Lunar's scaffolder actions (plugins/scaffolder-backend-module-lunar). */
  lunarScaffolder?: {
    /**
     * Folder for repositories created by `lunar:publish:local`: each template
     * run makes `<folder>/<name>.git` (bare) and `<folder>/<name>` (a clone
     * the catalog reads). Relative paths are resolved against the backend's
     * working directory. When set, templates publish locally and the catalog
     * accepts `file` locations; when unset (production), templates publish to
     * GitHub. Default: unset.
     */
    localGitDirectory?: string;
  };
}
