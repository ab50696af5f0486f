// Whole HTTP requests for each operation of /openapi.json: the path filled
// with ids the node knows (so requests reach deep handlers) or hostile ones,
// query and headers from their schemas, and a body valid or broken, with the
// transport-level breakages on top (bad JSON, BOM, invalid UTF-8, wrong
// content type, raw bad percent-encoding).
import fc from 'fast-check';
import { brokenValue, encodeComponent, HOSTILE_STRINGS, validValue, type FuzzRequest, type JsonSchema, type Operation } from './arbitraries.js';

type OpenApi = { paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> } }>> };

export function operationsOf(doc: unknown): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries((doc as OpenApi).paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content ?? {};
      const [contentType, media] = Object.entries(content)[0] ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p) => ({ ...p, required: p.required ?? false, schema: p.schema ?? {} })),
        ...(contentType ? { body: { contentType, schema: media?.schema ?? {}, required: op.requestBody?.required ?? false } } : {}),
      });
    }
  }
  return out;
}

export interface FuzzContext {
  /** Ids that exist on the node, per path parameter name (storeId → the store's id…). */
  knownIds: Record<string, string[]>;
  /** Bearer tokens to send: the operator's (super admin), a customer's, garbage. */
  tokens: string[];
}

function paramValue(name: string, schema: JsonSchema, ctx: FuzzContext): fc.Arbitrary<string> {
  const known = ctx.knownIds[name] ?? [];
  const valid = validValue(schema).map((v) => String(v));
  return fc.oneof(
    { weight: known.length > 0 ? 6 : 0, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('x') },
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  );
}

const rawBreakages: fc.Arbitrary<{ contentType: string; payload: string | Buffer }> = fc.oneof(
  fc.constant({ contentType: 'application/json', payload: '{"a":' }),
  fc.constant({ contentType: 'application/json', payload: '\ufeff{}' }),
  fc.constant({ contentType: 'application/json', payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]) }),
  fc.constant({ contentType: 'application/json', payload: '' }),
  fc.constant({ contentType: 'application/json', payload: 'null' }),
  fc.constant({ contentType: 'application/json', payload: '[]' }),
  fc.constant({ contentType: 'application/json', payload: JSON.stringify({ big: 'z'.repeat(300_000) }) }),
  fc.constant({ contentType: 'text/plain', payload: 'hello' }),
  fc.constant({ contentType: 'application/x-www-form-urlencoded', payload: 'a=1' }),
  fc.constant({ contentType: 'text/csv', payload: 'itemId,onHand\nx\u0000,1\n' }),
  fc.constant({ contentType: 'application/json; charset=latin1', payload: '{}' }),
);

const csvBody: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('syrup-vanilla', 'cups-16oz', 'x'), fc.constantFrom(...HOSTILE_STRINGS)), fc.oneof(fc.nat(500).map(String), fc.constantFrom('-1', 'abc', ''))), { maxLength: 5 })
  .map((rows) => ['itemId,onHand', ...rows.map(([a, b]) => `${a},${b}`)].join('\n'));

/** One request for `op`: mostly well-formed, a third broken somewhere. */
export function requestFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const headerParams = op.params.filter((p) => p.in === 'header');
  const pathArb = fc.tuple(...pathParams.map((p) => paramValue(p.name, p.schema, ctx))).map((values) => {
    let url = op.path;
    pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, encodeComponent(values[i]!))));
    return url;
  });
  const queryArb = fc.tuple(...queryParams.map((p) => fc.option(fc.oneof({ weight: 3, arbitrary: validValue(p.schema).map(String) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }), { nil: undefined }))).map((values) =>
    queryParams.flatMap((p, i) => (values[i] === undefined ? [] : [`${encodeComponent(p.name)}=${encodeComponent(values[i] as string)}`])).join('&'),
  );
  const headerArb = fc.tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ctx.tokens) }, { weight: 1, arbitrary: fc.constant(undefined) }),
    ...headerParams.map((p) => fc.option(fc.oneof(validValue(p.schema).map(String), fc.constantFrom('short', 'k'.repeat(300), '\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9')), { nil: undefined, freq: 4 })),
  );
  const bodyArb: fc.Arbitrary<{ contentType: string; payload: string | Buffer } | undefined> = !op.body
    ? fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: rawBreakages })
    : op.body.contentType === 'text/csv'
      ? fc.oneof({ weight: 4, arbitrary: csvBody.map((payload) => ({ contentType: 'text/csv', payload })) }, { weight: 1, arbitrary: rawBreakages })
      : fc.oneof(
          { weight: 6, arbitrary: validValue(op.body.schema).map((v) => ({ contentType: 'application/json', payload: JSON.stringify(v) })) },
          { weight: 3, arbitrary: brokenValue(op.body.schema).map((v) => ({ contentType: 'application/json', payload: JSON.stringify(v) ?? 'null' })) },
          { weight: 1, arbitrary: rawBreakages },
        );
  // A path with raw, undecodable percent-encoding now and then: what the router itself must answer.
  const rawPathArb = fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  return fc.tuple(pathArb, queryArb, headerArb, bodyArb, rawPathArb).map(([path, query, [token, ...headerValues], body, rawPath]) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    headerParams.forEach((p, i) => {
      const v = headerValues[i];
      if (v !== undefined) headers[p.name] = v;
    });
    if (body) headers['content-type'] = body.contentType;
    const url = (rawPath ? `${path}/%E0%A4%A` : path) + (query ? `?${query}` : '');
    return { op: `${op.method} ${op.path}`, method: op.method, url, headers, ...(body ? { payload: body.payload } : {}) };
  });
}

/** Any operation's request, operations drawn evenly. */
export function anyRequest(ops: Operation[], ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...ops.map((op) => requestFor(op, ctx)));
}
