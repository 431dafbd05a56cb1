import { entry, type Finding, type FindingCode, type Severity, type StageId } from '../model/index.js';

export interface FindingExtra {
  /** Override the catalogue's default severity (e.g. a hazard that is only a warning on old versions). */
  severity?: Severity;
  stage?: StageId;
  logLine?: string;
  data?: Record<string, unknown>;
  /** Extra sentence appended to the catalogue fix. */
  fixNote?: string;
  /** The title when the catalogue's names an observation that was not the one made (e.g. a 404 from check-token, not a 401 from GET /user). */
  title?: string;
}

/** Build a finding from its catalogue entry. `detail` is the evidence in words (fingerprints only). */
export function finding(code: FindingCode, detail: string, extra: FindingExtra = {}): Finding {
  const e = entry(code);
  const f: Finding = {
    code,
    tier: e.tier,
    severity: extra.severity ?? e.severity,
    title: extra.title ?? e.title,
    detail,
    fix: extra.fixNote ? `${e.fix} ${extra.fixNote}` : e.fix,
  };
  if (extra.stage) f.stage = extra.stage;
  if (extra.logLine) f.logLine = extra.logLine;
  if (extra.data) f.data = extra.data;
  return f;
}
