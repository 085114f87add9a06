export { SquadServicesContent } from './SquadServicesContent';
