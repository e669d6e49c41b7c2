export * from './config';
export * from './errors';
export * from './event-json';
export * from './live-feed';
export * from './metadata-types';
export * from './pipeline-types';
export * from './runtime';
export * from './types';
