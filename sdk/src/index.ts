export { Keywarden } from './client.js';
export { KeywardenUnavailableError } from './types.js';
export type { KeywardenOptions, VerifyOptions, VerifyContext, VerifyAnswer, ValidAnswer, InvalidAnswer, RateLimitState } from './types.js';
