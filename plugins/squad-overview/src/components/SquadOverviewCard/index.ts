export { SquadOverviewCard } from './SquadOverviewCard';
