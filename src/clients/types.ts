/** The client tier's observation types live in the model (src/model/client.ts); re-exported here for the adapter. */
export * from '../model/client.js';
