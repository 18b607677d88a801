/** unreadable_metadata: run.json or a stage file that exists but cannot be parsed or validated. */
import type { Rule } from '../../model';
import { baseName, makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'unreadable_metadata',
  kind: 'integrity',
  description: 'run.json or a stage file that exists but cannot be parsed or validated',
  severity: 'error',
  severity_policy: 'always error',
  options: [],
};

/** stages/<name>.json belongs to stage <name>, so the issue sorts and groups with that stage. */
const STAGE_FILE = /(?:^|[\\/])stages[\\/]([^\\/]+)\.json$/;

export const unreadableMetadata: Rule = (input) =>
  input.run.unreadable.map((u) =>
    makeIssue(input, {
      severity: 'error',
      code: 'unreadable_metadata',
      summary: `${baseName(u.file)}${u.line === null ? '' : ` line ${u.line}`} cannot be read: ${u.reason}`,
      stage: STAGE_FILE.exec(u.file)?.[1] ?? null,
      subject_ref: input.run.run_ref,
      details: { file: u.file, line: u.line, reason: u.reason },
    }),
  );
