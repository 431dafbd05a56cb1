/**
 * The exit code and the one stderr line a report calls for (0 healthy, 1 problems found, 2 bad input,
 * 3 could not collect evidence, 130 interrupted). Pure: the entry point asks, then exits.
 */
import { EXIT, type ExitCode } from '../errors.js';
import type { Report, TokenEvidence } from '../model/index.js';
import { unusableToken } from './facts.js';

const VERDICT_EXIT: Record<Report['verdict'], ExitCode> = { healthy: EXIT.healthy, failing: EXIT.problems, inconclusive: EXIT.noEvidence };

/** The wording of an interrupted run, the same for every command. */
export const INTERRUPTED = 'interrupted (SIGINT)';

/** verify-token and diagnose take the token as their input: one that is not a usable JWT is bad input. */
function badTokenInput(report: Report): TokenEvidence | undefined {
  if (report.command !== 'verify-token' && report.command !== 'diagnose') return undefined;
  const t = report.evidence.token?.status === 'collected' ? report.evidence.token.value : undefined;
  return t && unusableToken(t) ? t : undefined;
}

/** `demo` diagnoses a sample that is broken on purpose: getting its expected verdict is success. */
function demoMissed(report: Report): boolean {
  const demo = report.command === 'demo' ? report.evidence.demo : undefined;
  return demo !== undefined && report.verdict !== demo.expectedVerdict && report.verdict !== 'inconclusive';
}

export function exitCodeFor(report: Report): ExitCode {
  if (report.partial !== undefined) return EXIT.interrupted;
  if (badTokenInput(report)) return EXIT.badInput;
  if (report.command === 'demo' && report.evidence.demo) return report.verdict === report.evidence.demo.expectedVerdict ? EXIT.healthy : demoMissed(report) ? EXIT.problems : VERDICT_EXIT[report.verdict];
  return VERDICT_EXIT[report.verdict];
}

/** The line for stderr when the exit code needs saying (interrupt, bad input, a server that is down). */
export function exitLineFor(report: Report): string | undefined {
  if (report.partial !== undefined) return 'interrupted — the report shows what was collected so far';
  const bad = badTokenInput(report);
  if (bad?.malformed !== undefined) return `the token is not a JWT: ${bad.malformed} — pass the token exactly as the client sends it (without "Bearer ")`;
  if (bad) return `the token is signed with alg ${JSON.stringify(bad.rejectedAlg)}, and FastMCP accepts HS256 only — it was not issued by this FastMCP server`;
  if (demoMissed(report)) return `demo: the sample should be diagnosed as ${report.evidence.demo?.expectedVerdict} but was ${report.verdict} — this is a bug; please report it`;
  const discovery = report.evidence.discovery;
  if (report.command === 'check' && discovery?.status === 'error' && report.verdict === 'inconclusive') {
    return `${discovery.reason} — check the URL and that the server is up and reachable from here (exit 3: inconclusive)`;
  }
  return undefined;
}
