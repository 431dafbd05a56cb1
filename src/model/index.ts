/**
 * The model: the vocabulary every layer shares — evidence per tier, the report, the finding
 * catalogue and its codes, the adapters' I/O handle. Imports nothing but `secrets` (for the type).
 */
export * from './catalogue.js';
export { CLIENT_CATALOGUE } from './catalogue-client.js';
export * from './client.js';
export { DISCOVERY_CATALOGUE } from './catalogue-discovery.js';
export * from './collected.js';
export * from './command.js';
export type * from './demo.js';
export type * from './evidence.js';
export * from './github.js';
export * from './io.js';
export type * from './report.js';
export * from './server.js';
export type * from './settings.js';
export type * from './store.js';
export * from './tiers.js';
export type * from './token.js';
