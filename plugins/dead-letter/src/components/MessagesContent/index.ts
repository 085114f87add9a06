export { MessagesContent } from './MessagesContent';
