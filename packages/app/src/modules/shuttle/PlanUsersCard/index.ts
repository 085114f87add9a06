export { PlanUsersCard, planUsers, refSummary } from './PlanUsersCard';
export type { PlanUser } from './PlanUsersCard';
