/** Builders for store-chain entries in hand-built evidence (unit tests of the storage, refresh and session rules). */
export const where = (collection: string) => `${collection} in fingerprint directory c714d6d70505`;
export const present = <T>(collection: string, value: T, expiresAt: number) => ({ state: 'present' as const, value, expiresAt, where: where(collection) });
export const missing = (collection: string) => ({ state: 'missing' as const, where: where(collection) });
