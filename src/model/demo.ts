import type { Verdict } from './tiers.js';

/** `demo`: what the report carries about the bundled sample (under `evidence.demo`). */
export interface DemoEvidence {
  summary: string;
  /** The verdict the sample is built to get; `demo` exits 0 when it gets it. */
  expectedVerdict: Verdict;
  /** The equivalent `mcp-auth-doctor …` command line, paths as typed from the working directory. */
  commandLine: string[];
}
