/** The extension's pages count with the same words as the server's notices (shared/plural.ts). */
export { formatCount, pick, plural } from '../../shared/plural';
