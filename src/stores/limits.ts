/**
 * Caps on what one store entry or one input may make the doctor read (README: Security and read-only
 * guarantees). Above them an entry is refused without being read, and the report says so.
 */

/** One store entry (FileTree file, diskcache side file or value, Redis value). FastMCP's are a few KB. */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${Math.round(n / 1024 / 1024)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

/** The error of an entry refused for its size (counted with the unreadable entries, never read). */
export function refusedSize(bytes: number): string {
  return `${formatBytes(bytes)}, above the ${formatBytes(MAX_ENTRY_BYTES)} cap for one entry: refused without reading it`;
}
