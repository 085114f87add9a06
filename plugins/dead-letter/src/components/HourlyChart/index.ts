export { HourlyChart, stackHistogram } from './HourlyChart';
