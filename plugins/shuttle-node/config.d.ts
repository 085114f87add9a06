export interface Config {
  catalog?: {
    /**
     * How shuttle.yaml and plan.yaml map to catalog entities: read by the
     * shuttle catalog module and by the scaffolder's shuttle.yaml check
     * (both through @internal/plugin-shuttle-node, which declares it).
     */
    shuttle?: {
      /** File names read as shuttle.yaml. Default: ['shuttle.yaml']. */
      fileNames?: string[];
      /**
       * File names read as a shuttle plan (a component of type
       * shuttle-plan). Default: ['plan.yaml'].
       */
      planFileNames?: string[];
      /** Prefix turning vars.squad into a group name. Default: 'squad-'. */
      ownerPrefix?: string;
      /**
       * spec.lifecycle of the emitted components and APIs, unless their
       * plan sets one. Default: 'production'.
       */
      lifecycle?: string;
      /**
       * spec.type when neither the plan, nor vars.type, nor the repository's
       * contents say what a repository is. Default: 'other'.
       */
      defaultType?: string;
      /**
       * Owner of a plan whose repository names no squad (neither in its
       * shuttle.yaml nor in the plan's vars). Default: 'group:squad-nasa'.
       */
      planOwner?: string;
      /**
       * What happens to a component whose owner group is not in the catalog:
       * 'annotate' marks it (annotation lunar.app/unknown-owner, shown on its
       * page and the Squads page); 'error' rejects it with a processing
       * error. Default: 'annotate'.
       */
      unknownOwner?: 'annotate' | 'error';
      /**
       * Plan name (the plan repository's name, e.g. lw-shuttle-go-plan) to
       * component type, tags and lifecycle (default: `lifecycle` above) of
       * the components using it; the lifecycle is also the plan entity's
       * own. Merged over the built-in Lunar plans.
       */
      plans?: {
        [planName: string]: {
          type: string;
          tags?: string[];
          lifecycle?: string;
        };
      };
      /**
       * Paths, relative to shuttle.yaml, tried in order for an OpenAPI file.
       * Default: api/openapi.yaml, api/openapi.yml, api/openapi.json,
       * openapi.yaml, openapi.yml, api/swagger.yaml.
       */
      apiDefinitionPaths?: string[];
      /** Name of the shared broker resource. Default: 'rabbitmq'. */
      broker?: string;
      /** Owner of the broker resource. Default: 'group:squad-nasa'. */
      brokerOwner?: string;
    };
  };
}
