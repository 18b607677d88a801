/**
 * Validates OpenLineage events the way the issue asks: against the official
 * core schema (fixtures/openlineage, vendored verbatim) AND each facet against
 * its own facet schema, since the core schema checks facets only as BaseFacet.
 * contexta's custom facets are checked against docs/openlineage/ContextaRunFacets.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { FIXTURES, REPO_ROOT } from './helpers';

// Both packages are CommonJS with a default export; under tsx/ESM it arrives wrapped.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule;

const SPEC = path.join(FIXTURES, 'openlineage', 'spec');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

export interface OpenLineageValidator {
  /** Problems with one event; [] when it is valid. */
  problems(event: unknown): string[];
  /** Facet key → the schema file that checks it. */
  facetFiles: Map<string, string>;
}

export function openLineageValidator(): OpenLineageValidator {
  const ajv = new Ajv2020({ allErrors: true, strictRequired: false });
  ajv.addKeyword('example');
  addFormats(ajv);
  const core = readJson(path.join(SPEC, 'OpenLineage.json'));
  ajv.addSchema(core);
  const coreCheck = ajv.getSchema(core.$id)!;
  const facetChecks = new Map<string, ValidateFunction>();
  const facetFiles = new Map<string, string>();
  const files = fs
    .readdirSync(path.join(SPEC, 'facets'))
    .map((f) => path.join(SPEC, 'facets', f))
    .concat(path.join(REPO_ROOT, 'docs', 'openlineage', 'ContextaRunFacets.json'));
  for (const file of files) {
    const schema = readJson(file);
    const check = ajv.compile(schema);
    for (const key of Object.keys(schema.properties ?? {})) {
      facetChecks.set(key, check);
      facetFiles.set(key, path.basename(file));
    }
  }
  const text = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

  function checkFacets(where: string, facets: unknown, out: string[]): void {
    if (facets === undefined) return;
    if (!facets || typeof facets !== 'object') return void out.push(`${where}: not an object`);
    for (const [key, value] of Object.entries(facets)) {
      const check = facetChecks.get(key);
      if (!check) {
        out.push(`${where}.${key}: no schema known for this facet`);
        continue;
      }
      if (!check({ [key]: value })) out.push(`${where}.${key} (${facetFiles.get(key)}): ${text(check)}`);
    }
  }

  return {
    facetFiles,
    problems(event) {
      const out: string[] = [];
      if (!coreCheck(event)) out.push(`core schema: ${text(coreCheck)}`);
      const e = event as Record<string, any>;
      // What Marquez needs before it stores anything.
      for (const [name, value] of [
        ['eventTime', e?.eventTime],
        ['run.runId', e?.run?.runId],
        ['job.namespace', e?.job?.namespace],
        ['job.name', e?.job?.name],
        ['producer', e?.producer],
      ] as const) {
        if (typeof value !== 'string' || value === '') out.push(`Marquez: ${name} is required`);
      }
      checkFacets('run.facets', e?.run?.facets, out);
      checkFacets('job.facets', e?.job?.facets, out);
      for (const [i, d] of (e?.inputs ?? []).entries()) {
        checkFacets(`inputs[${i}].facets`, d.facets, out);
        checkFacets(`inputs[${i}].inputFacets`, d.inputFacets, out);
      }
      for (const [i, d] of (e?.outputs ?? []).entries()) {
        checkFacets(`outputs[${i}].facets`, d.facets, out);
        checkFacets(`outputs[${i}].outputFacets`, d.outputFacets, out);
      }
      return out;
    },
  };
}
