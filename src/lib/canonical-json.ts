// JSON with object keys sorted at every level: the one byte form of a value,
// for everything that is signed, hashed or compared. Refuses values JSON
// cannot carry faithfully (NaN, Infinity, bigint, functions, cycles).

/**
 * JSON with object keys sorted recursively, so a signer and a verifier that
 * built the same value in a different key order agree byte for byte.
 * Follows JSON.stringify for toJSON, undefined properties and undefined array
 * slots, but refuses values JSON would silently corrupt (NaN, Infinity,
 * bigint, functions, cycles): signing a value that will not round-trip would
 * produce a signature nobody can check.
 */
export function canonicalJson(value: unknown): string {
  const out = encode(value, new Set<object>());
  if (out === undefined) throw new Error('canonicalJson: value is not representable as JSON');
  return out;
}

function encode(value: unknown, stack: Set<object>): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    return encode((value.toJSON as () => unknown).call(value), stack);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof value}`);
  }
  if (stack.has(value)) throw new Error('canonicalJson: cyclic value');
  stack.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((v: unknown) => encode(v, stack) ?? 'null').join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const encoded = encode(record[key], stack);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    out = `{${parts.join(',')}}`;
  }
  stack.delete(value);
  return out;
}
