export { PullRequestsCard } from './PullRequestsCard';
