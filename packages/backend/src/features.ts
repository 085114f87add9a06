import appBackend from '@backstage/plugin-app-backend';
import proxyBackend from '@backstage/plugin-proxy-backend';
import authBackend from '@backstage/plugin-auth-backend';
import authBackendModuleGuestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import authBackendModuleGithubProvider from '@backstage/plugin-auth-backend-module-github-provider';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import catalogBackendModuleGithub from '@backstage/plugin-catalog-backend-module-github';
import catalogBackendModuleUnprocessed from '@backstage/plugin-catalog-backend-module-unprocessed';
import catalogModuleShuttle from '@internal/plugin-catalog-backend-module-shuttle';
import deadLetterBackend from '@internal/plugin-dead-letter-backend';
import releaseStatusBackend from '@internal/plugin-release-status-backend';
import squadOverviewBackend from '@internal/plugin-squad-overview-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import scaffolderBackendModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import scaffolderBackendModuleNotifications from '@backstage/plugin-scaffolder-backend-module-notifications';
import scaffolderModuleLunar, {
  catalogModuleLunarFileLocations,
} from '@internal/plugin-scaffolder-backend-module-lunar';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import searchBackendModuleTechdocs from '@backstage/plugin-search-backend-module-techdocs';
import userSettingsBackend from '@backstage/plugin-user-settings-backend';
import notificationsBackend from '@backstage/plugin-notifications-backend';
import signalsBackend from '@backstage/plugin-signals-backend';
import mcpActionsBackend from '@backstage/plugin-mcp-actions-backend';
import { lunarPermissionPolicyModule } from './modules/permissionPolicy';
import {
  cachedUserInfoServiceFactory,
  lunarDatabaseServiceFactory,
  rootHealthServiceFactory,
} from '@internal/plugin-lunar-node';

/**
 * Every plugin and module of Lunar's backend, in one list so that the
 * wiring test starts exactly what production starts.
 */
export const features = [
  // Readiness (/.backstage/health/v1/readiness) is 503 while a plugin's
  // database is unreachable, not only while starting or stopping.
  rootHealthServiceFactory,
  // Backstage's database service, with every plugin's migrations taking
  // turns across replicas that start at once (deploy/).
  lunarDatabaseServiceFactory,
  // Backstage's user info, each token's answer reused for up to a minute
  // instead of asking the auth backend on every permission decision.
  cachedUserInfoServiceFactory,

  appBackend,
  proxyBackend,

  // Auth: guest locally, GitHub in production (see app-config*.yaml).
  authBackend,
  authBackendModuleGuestProvider,
  authBackendModuleGithubProvider,

  // Catalog.
  catalogBackend,
  catalogBackendModuleScaffolderEntityModel,
  // Entities that failed processing, with their errors (shown on the
  // Unprocessed Entities page) instead of logging them on every refresh.
  catalogBackendModuleUnprocessed,
  // Lunar: every repository's shuttle.yaml becomes catalog entities; in
  // production GitHub discovery registers them (catalog.providers.github).
  catalogModuleShuttle,
  catalogBackendModuleGithub,

  // Permissions: Lunar's policy (modules/permissionPolicy.ts) lets only a
  // squad's members redeliver or delete its dead letters.
  permissionBackend,
  lunarPermissionPolicyModule,

  // Software templates.
  scaffolderBackend,
  scaffolderBackendModuleGithub,
  scaffolderBackendModuleNotifications,
  // Lunar: templates/ actions (name check, local git publishing, file
  // registration) and, only when lunarScaffolder.localGitDirectory is set,
  // file locations through the catalog API.
  scaffolderModuleLunar,
  catalogModuleLunarFileLocations,

  // TechDocs, built locally with mkdocs.
  techdocsBackend,

  // Search: PostgreSQL full text in production, Lunr in memory on SQLite.
  searchBackend,
  searchBackendModulePg,
  searchBackendModuleCatalog,
  searchBackendModuleTechdocs,

  // Lunar: dead-lettered RabbitMQ messages (deadLetter.environments).
  deadLetterBackend,
  // Lunar: what is released where, and drift (releaseStatus).
  releaseStatusBackend,
  // Lunar: a squad's pulse and open pull requests (squadOverview).
  squadOverviewBackend,

  userSettingsBackend,
  notificationsBackend,
  signalsBackend,
  mcpActionsBackend,
];
