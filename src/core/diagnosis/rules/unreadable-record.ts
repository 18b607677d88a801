/** unreadable_record: a torn or corrupt line in the record log; the other lines are still diagnosed. */
import type { Rule } from '../../model';
import { baseName, makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'unreadable_record',
  kind: 'integrity',
  description: 'a torn or corrupt line in the record log (the other lines are still diagnosed)',
  severity: 'error',
  severity_policy: 'always error',
  options: [],
};

export const unreadableRecord: Rule = (input) =>
  input.run.records.unreadable.map((u) =>
    makeIssue(input, {
      severity: 'error',
      code: 'unreadable_record',
      summary: `${baseName(u.file)}${u.line === null ? '' : ` line ${u.line}`} cannot be read: ${u.reason}`,
      subject_ref: input.run.run_ref,
      details: { file: u.file, line: u.line, reason: u.reason },
    }),
  );
