export { PulseCard } from './PulseCard';
