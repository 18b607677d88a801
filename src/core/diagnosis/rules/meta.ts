/** Rule metadata, ESLint-style: each rule file exports its `meta` next to its code. */
import type { IssueSeverity } from '../../../schema/enums';

export interface RuleOption {
  name: string;
  default: string | number | boolean | null;
  description: string;
}

export interface RuleMeta {
  code: string;
  /** recorded: what a writer said; learned: from the project's history; declared: from contexta.yml; integrity: the workspace itself. */
  kind: 'recorded' | 'learned' | 'declared' | 'integrity';
  description: string;
  /** The severity it reports by default (the worst one when it has several). */
  severity: IssueSeverity;
  /** When it reports which severity, in one sentence. */
  severity_policy: string;
  options: RuleOption[];
}
