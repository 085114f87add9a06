export * from './SquadOverviewApi';
export * from './SquadOverviewClient';
