export * from './backoff';
export * from './connection';
export * from './errors';
export type { HistoryRequest } from './messages';
export * as messages from './messages';
export * from './socket';
export * from './types';
export * from './url';
