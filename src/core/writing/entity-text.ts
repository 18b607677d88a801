/** Project, run and stage documents as file text, in the library's form (see entity-write.ts). */
import { ContextaError } from '../errors';
import { normalizeEntity, type EntityKind } from '../../schema/entity-docs';
import type { Obj } from '../../schema/fields';
import { canonicalLine } from './canonical';
import { problemsText } from './validate';

/** The file text of a document already normalized by normalizeEntity. */
export function entityText(doc: Obj): string {
  return `${JSON.stringify(JSON.parse(canonicalLine(doc)), null, 2)}\n`;
}

/** Normalize a document contexta builds itself (exit 2 if the contract refuses it) and give its file text. */
export function libraryEntityText(kind: EntityKind, value: unknown): string {
  const { doc, problems } = normalizeEntity(kind, value);
  if (!doc) throw new ContextaError('invalid_input', `invalid ${kind}: ${problemsText(problems)}`, { problems });
  return entityText(doc);
}


/** For read-modify-write of an existing document: a 0.1.0 document the contract refuses stays in its old form until `contexta migrate`. */
export function entityTextKeepingLegacy(kind: EntityKind, value: unknown): string {
  const { doc } = normalizeEntity(kind, value);
  return doc ? entityText(doc) : `${JSON.stringify(value, null, 2)}\n`;
}
