// The one text rule for every string that enters a node: request bodies,
// queries, paths, stored header values, CSV cells and peer events. A string
// must be well-formed Unicode (no lone UTF-16 surrogate) and hold no NUL or
// other C0 control character; tab, CR and LF are allowed only in multi-line
// fields. PostgreSQL cannot store NUL in text or jsonb, and a lone surrogate
// cannot be encoded as UTF-8, so both fail deep in the database otherwise.
//
// Two layers use it: the HTTP app checks every string of every request
// against the base rule (multi-line allowed) before any handler runs, so a
// route cannot forget it; the zod helpers below add the per-field rule
// (single-line, trimmed names, maximum length) to the schemas.
import { z } from 'zod';

// C0 controls except tab (09), LF (0A) and CR (0D); DEL (7F) too. Matching them is the point.
// eslint-disable-next-line no-control-regex
const BAD_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex
const BAD_LINE = /[\u0000-\u001F\u007F]/;

/** Why `s` breaks the text rule, or undefined when it is fine. */
export function textProblem(s: string, options: { multiline?: boolean } = {}): string | undefined {
  if (!s.isWellFormed()) return 'is not valid Unicode (it holds a lone UTF-16 surrogate)';
  const bad = (options.multiline === false ? BAD_LINE : BAD_MULTILINE).exec(s);
  if (!bad) return undefined;
  const ch = bad[0].charCodeAt(0);
  if (ch === 0) return 'must not contain a NUL character';
  const hex = ch.toString(16).toUpperCase().padStart(4, '0');
  return ch === 0x0a || ch === 0x0d || ch === 0x09
    ? `must be a single line (it holds U+${hex})`
    : `must not contain control characters (it holds U+${hex})`;
}

export interface TextViolation {
  /** Dotted path below the root: `items.0.name`, or a key path ending in `(key)` when an object key is bad. */
  path: string;
  message: string;
}

/** Every string (and object key) in a parsed JSON value that breaks the base rule, up to `limit`. */
export function findBadText(value: unknown, root: string, limit = 20): TextViolation[] {
  const out: TextViolation[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= limit || depth > 64) return;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) out.push({ path, message: problem });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}.${i}`, depth + 1));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const keyProblem = textProblem(key);
        const safeKey = keyProblem ? '(key)' : key;
        if (keyProblem) out.push({ path: `${path}.${safeKey}`, message: `has a field name that ${keyProblem}` });
        walk(item, `${path}.${safeKey}`, depth + 1);
      }
    }
  };
  walk(value, root, 0);
  return out;
}

/** Throws on the first violation: for values that arrive by other ways than HTTP (peer events, CSV cells). */
export function assertCleanText(value: unknown, root: string): void {
  const [bad] = findBadText(value, root, 1);
  if (bad) throw new BadTextError(bad);
}

export class BadTextError extends Error {
  constructor(readonly violation: TextViolation) {
    super(`${violation.path} ${violation.message}`);
  }
}

const refined = (schema: z.ZodString, multiline: boolean) =>
  schema.superRefine((s, ctx) => {
    const problem = textProblem(s, { multiline });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A one-line value such as a code, a search term or a reason heading: no control characters at all. */
export function lineText(max: number, min = 0): z.ZodType<string, string> {
  return refined(z.string().min(min).max(max, `must be at most ${max} characters`), false);
}

/** A name shown to people: trimmed, one line, at least one character. */
export function nameText(max: number): z.ZodType<string, string> {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = textProblem(s, { multiline: false });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** Free text over several lines (notes, descriptions): tab and newlines allowed. */
export function multilineText(max: number): z.ZodType<string, string> {
  return refined(z.string().max(max, `must be at most ${max} characters`), true);
}
