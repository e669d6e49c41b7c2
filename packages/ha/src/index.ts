export * from './client';
export * from './sim';
