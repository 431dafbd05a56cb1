/**
 * Small pure predicates over the discovery surface, shared by the collector (which URL to try next,
 * when to stop) and the discovery rules (what the answers mean).
 */
import type { DiscoveryExchange } from '../model/index.js';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function absoluteHttpUrl(v: unknown): URL | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** A metadata attempt that worked: 200 and a JSON object. */
export function metadataOk(x: DiscoveryExchange): boolean {
  return x.status === 200 && typeof x.json === 'object' && x.json !== null && !Array.isArray(x.json);
}
