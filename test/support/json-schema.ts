/**
 * A small JSON Schema (2020-12) validator for the keywords docs/report.schema.json uses: $ref (local
 * "#/$defs/…"), type, const, enum, required, properties, additionalProperties, items, anyOf, allOf,
 * oneOf, minimum, pattern, maxItems, maxProperties. Annotations (description, examples, title) are
 * ignored; an unknown keyword throws, so the schema cannot silently use one this does not check.
 * (ajv would do the same; it is not a dependency.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'examples', '$defs']);
const KEYWORDS = new Set(['$ref', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'anyOf', 'allOf', 'oneOf', 'minimum', 'pattern', 'maxItems', 'maxProperties']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  if (t === 'number') return typeof v === 'number';
  return typeOf(v) === t;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
  const check = (schema: Schema, v: unknown, path: string, out: string[]): void => {
    if (schema === true) return;
    if (schema === false) {
      out.push(`${path}: not allowed`);
      return;
    }
    for (const k of Object.keys(schema)) if (!ANNOTATIONS.has(k) && !KEYWORDS.has(k)) throw new Error(`json-schema.ts: keyword "${k}" not supported (at ${path})`);
    if (typeof schema.$ref === 'string') check(resolve(schema.$ref), v, path, out);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => hasType(v, t))) {
        out.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
        return;
      }
    }
    if ('const' in schema && !equal(schema.const, v)) out.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(v)}`);
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => equal(e, v))) out.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof schema.minimum === 'number' && typeof v === 'number' && v < schema.minimum) out.push(`${path}: ${v} < ${schema.minimum}`);
    if (typeof schema.pattern === 'string' && typeof v === 'string' && !new RegExp(schema.pattern, 'u').test(v)) out.push(`${path}: "${v}" does not match ${schema.pattern}`);
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) out.push(`${path}: missing required "${r}"`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, sub] of Object.entries(props)) if (k in obj) check(sub, obj[k], `${path}.${k}`, out);
      if (schema.additionalProperties !== undefined) {
        for (const k of Object.keys(obj)) if (!(k in props)) check(schema.additionalProperties as Schema, obj[k], `${path}.${k}`, out);
      }
      if (typeof schema.maxProperties === 'number' && Object.keys(obj).length > schema.maxProperties) out.push(`${path}: more than ${schema.maxProperties} properties`);
    }
    if (Array.isArray(v)) {
      if (schema.items !== undefined) v.forEach((item, i) => check(schema.items as Schema, item, `${path}[${i}]`, out));
      if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) out.push(`${path}: more than ${schema.maxItems} items`);
    }
    for (const sub of (schema.allOf as Schema[] | undefined) ?? []) check(sub, v, path, out);
    if (Array.isArray(schema.anyOf)) {
      const tries = (schema.anyOf as Schema[]).map((sub) => {
        const e: string[] = [];
        check(sub, v, path, e);
        return e;
      });
      if (!tries.some((e) => e.length === 0)) out.push(`${path}: matches none of anyOf (${tries.map((e) => e[0]).join(' / ')})`);
    }
    if (Array.isArray(schema.oneOf)) {
      const ok = (schema.oneOf as Schema[]).filter((sub) => {
        const e: string[] = [];
        check(sub, v, path, e);
        return e.length === 0;
      }).length;
      if (ok !== 1) out.push(`${path}: matches ${ok} of oneOf, not exactly one`);
    }
  };
  check(root, value, '$', errors);
  return errors;
}

let reportSchema: Schema | undefined;

/** docs/report.schema.json, parsed once. */
export function loadReportSchema(): Schema {
  reportSchema ??= JSON.parse(readFileSync(fileURLToPath(new URL('../../docs/report.schema.json', import.meta.url)), 'utf8')) as Schema;
  return reportSchema;
}

/** The errors of a report (or JSON error document) against docs/report.schema.json; [] when valid. */
export function reportSchemaErrors(doc: unknown): string[] {
  return validate(loadReportSchema(), doc);
}
