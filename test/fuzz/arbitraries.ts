// fast-check arbitraries built from a node's own /openapi.json: for every
// operation, requests that are valid by its schemas, and requests broken in
// the ways hostile clients break them (wrong types, missing and unknown
// fields, text a database cannot store, huge values, bad encodings, wrong
// content types, bad JSON, a byte-order mark, invalid UTF-8).
import fc from 'fast-check';

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
};

export interface Operation {
  method: string;
  /** The OpenAPI path, `{param}` style. */
  path: string;
  params: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: JsonSchema }[];
  body?: { contentType: string; schema: JsonSchema; required: boolean };
}

export interface FuzzRequest {
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Strings hostile clients send: what databases, parsers and logs choke on. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u0007bell',
  '\u001b[31mred',
  'line\nbreak',
  '\ufeffbom',
  '\u202eevil',
  '🥤'.repeat(50),
  'x'.repeat(5000),
  "' OR 1=1 --",
  '"; drop table accounts; --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%',
  '%zz',
  '%00',
  '-1',
  '1e309',
  'NaN',
  'null',
  '{}',
  '__proto__',
  'constructor',
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const wrongType = fc.constantFrom<unknown>(null, true, -1, 1.5, 2 ** 53, 'text', [], {}, [1, 'a'], { a: 1 });

const typeOf = (s: JsonSchema): string | undefined => {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') ?? 'null';
  return s.type;
};

/** A value valid by `schema`, as far as a generator can tell (patterns and formats honoured). */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts && alts.length > 0) return fc.oneof(...alts.map((a) => validValue(a, depth + 1)));
  if (schema.allOf && schema.allOf.length > 0) return validValue(schema.allOf[0]!, depth + 1);
  switch (typeOf(schema)) {
    case 'string':
      return stringFor(schema);
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : Math.max(min, 0) + 1000);
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1000;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: schema.exclusiveMinimum !== undefined, maxExcluded: schema.exclusiveMaximum !== undefined });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 6) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      return fc.array(validValue(schema.items ?? {}, depth + 1), { minLength, maxLength: Math.min(schema.maxItems ?? minLength + 3, minLength + 3) });
    }
    case 'object':
      return objectFor(schema, depth, validValue);
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'uri') return fc.webUrl();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? minLength + 20, minLength + 40);
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // A pattern fast-check cannot generate from: plain text instead.
    }
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme' }).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
}

function objectFor(schema: JsonSchema, depth: number, inner: (s: JsonSchema, d: number) => fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) record[k] = inner(v, depth + 1);
  const base = fc.record(record, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && Object.keys(props).length === 0) {
    return fc.dictionary(fc.string({ maxLength: 12 }), inner(schema.additionalProperties, depth + 1), { maxKeys: 4 });
  }
  return base as fc.Arbitrary<Record<string, unknown>>;
}

/** A value broken somewhere: a wrong type, a hostile string, a missing or unknown field, deep or at the top. */
export function brokenValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const t = typeOf(schema);
  const here: fc.Arbitrary<unknown>[] = [wrongType, hostileString];
  if (t === 'object' && depth < 6) {
    const props = Object.keys(schema.properties ?? {});
    if (props.length > 0) {
      // One field broken, the rest valid.
      here.push(
        fc.constantFrom(...props).chain((broken) =>
          objectFor(schema, depth, (s, d) => (s === schema.properties![broken] ? brokenValue(s, d) : validValue(s, d))).map((o) => ({ ...o, [broken]: o[broken] })),
        ),
      );
      // A required field missing, or an unknown one added.
      here.push(validValue(schema, depth).map((o) => {
        const copy = { ...(o as Record<string, unknown>) };
        delete copy[(schema.required ?? props)[0] ?? props[0]!];
        return copy;
      }));
      here.push(validValue(schema, depth).map((o) => ({ ...(o as Record<string, unknown>), ['unknown\u0000field']: 1, extra: 'x' })));
    }
  }
  if (t === 'array' && schema.items && depth < 6) {
    here.push(fc.array(brokenValue(schema.items, depth + 1), { minLength: 1, maxLength: 3 }));
    here.push(fc.array(validValue(schema.items, depth + 1), { minLength: (schema.maxItems ?? 50) + 1, maxLength: (schema.maxItems ?? 50) + 2 }));
  }
  if (t === 'string') here.push(fc.constant('y'.repeat((schema.maxLength ?? 10_000) + 1)));
  if (t === 'integer' || t === 'number') here.push(fc.constantFrom((schema.maximum ?? 1e15) + 1, (schema.minimum ?? -1e15) - 1, 0.5));
  return fc.oneof(...here);
}

/** Percent-encodes like encodeURIComponent, but a lone surrogate becomes its (invalid) CESU-8 bytes instead of a throw. */
export function encodeComponent(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}
