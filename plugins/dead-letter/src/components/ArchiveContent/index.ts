export { ArchiveContent } from './ArchiveContent';
