// A small structural validator for CRD OpenAPI v3 schemas: enough to check manifests against
// required fields, types, enums, lengths and patterns, and to report fields the apiserver would
// prune or reject as unknown. CEL rules (x-kubernetes-validations) are not evaluated here; the
// integration tests run them in a real apiserver.

export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string }[];
  [key: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeMatches(value: unknown, schema: JsonSchema): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    case undefined: return true;
    default: return false;
  }
}

/** Problems found validating `value` against `schema`, each prefixed with its field path. */
export function validate(value: unknown, schema: JsonSchema, path = ''): string[] {
  const at = path || '<root>';
  if (value === null) return schema.nullable ? [] : [`${at}: must not be null`];
  if (!typeMatches(value, schema)) return [`${at}: must be of type ${schema['x-kubernetes-int-or-string'] ? 'integer or string' : schema.type}`];
  const errors: string[] = [];
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    errors.push(`${at}: unsupported value ${JSON.stringify(value)}; supported: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...validate(item, schema.items!, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) errors.push(`${at}: fewer than ${schema.minProperties} fields`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push(`${at}: more than ${schema.maxProperties} fields`);
    for (const name of schema.required ?? []) {
      if (!(name in value)) errors.push(`${path ? `${path}.` : ''}${name}: required`);
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const prop = schema.properties?.[key];
      if (prop) errors.push(...validate(child, prop, childPath));
      else if (isObject(schema.additionalProperties)) errors.push(...validate(child, schema.additionalProperties, childPath));
      else if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields']) continue;
      else if (schema.properties || schema.additionalProperties === false) errors.push(`${childPath}: unknown field`);
    }
  }
  return errors;
}

/**
 * Ways `schema` breaks the apiserver's rules for structural schemas (every node typed, objects
 * with either properties or additionalProperties, arrays with items, defaults that validate) and
 * this project's conventions (every CEL rule carries a message for the user).
 */
export function structuralProblems(schema: JsonSchema, path = ''): string[] {
  const at = path || '<root>';
  const problems: string[] = [];
  if (!schema.type && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields']) problems.push(`${at}: no type`);
  if (schema.properties && schema.additionalProperties !== undefined) problems.push(`${at}: both properties and additionalProperties`);
  if (schema.type === 'array' && !schema.items) problems.push(`${at}: array without items`);
  if (schema.default !== undefined) problems.push(...validate(schema.default, schema, `${at} (default)`));
  for (const e of schema.enum ?? []) {
    if (!typeMatches(e, schema)) problems.push(`${at}: enum value ${JSON.stringify(e)} is not a ${schema.type}`);
  }
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    if (!v.message && !v.messageExpression) problems.push(`${at}: CEL rule without a message: ${v.rule}`);
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) problems.push(...structuralProblems(child, path ? `${path}.${key}` : key));
  if (isObject(schema.additionalProperties)) problems.push(...structuralProblems(schema.additionalProperties, `${path}{}`));
  if (schema.items) problems.push(...structuralProblems(schema.items, `${path}[]`));
  return problems;
}

/** The schema node at a dotted path such as `spec.data[].remoteRef.decodingStrategy`. */
export function schemaAt(root: JsonSchema, path: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const part of path.split('.')) {
    const name = part.endsWith('[]') ? part.slice(0, -2) : part;
    node = node?.properties?.[name];
    if (part.endsWith('[]')) node = node?.items;
  }
  return node;
}
