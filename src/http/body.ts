// What a request body must be before anything reads it, and the text rule
// (lib/text.ts) applied to every string of every request. Bodies are read as
// bytes and decoded as strict UTF-8: invalid UTF-8 and a byte-order mark are
// refused instead of being turned silently into replacement characters. The
// raw text is kept because peer requests are signed over the exact bytes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findBadText } from '../lib/text.js';
import { HttpError, Invalid, type FieldError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body's bytes as text, or a 400 naming what is wrong with them. */
export function strictUtf8(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new HttpError('malformed_request', 'The body starts with a byte-order mark; send UTF-8 without one.', [{ field: 'body', message: 'starts with a byte-order mark (U+FEFF)' }]);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new HttpError('malformed_request', 'The body is not valid UTF-8.', [{ field: 'body', message: 'is not valid UTF-8' }]);
  }
}

type Done = (err: Error | null, body?: unknown) => void;

/** A content-type parser of text bodies (CSV): strict UTF-8, handed on as a string. */
export function textBodyParser(request: FastifyRequest, body: Buffer | string, done: Done): void {
  try {
    done(null, strictUtf8(body as Buffer));
  } catch (err) {
    done(err as Error);
  }
}

/** Replaces Fastify's parsers with the JSON one: strict UTF-8, the raw text kept on `request.rawBody`. */
export function installBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8(body as Buffer);
    } catch (err) {
      done(err as Error);
      return;
    }
    request.rawBody = text;
    parseJson(request, text, done);
  });
}

/** Header values a node stores, checked by the text rule like the body. */
const STORED_HEADERS = ['idempotency-key'];

/**
 * Every string in the body, query, path and stored headers against the base
 * rule, before validation and before any handler: one check a new route
 * cannot forget. Schemas add the per-field rules (single line, trimmed,
 * lengths) with lineText / nameText / multilineText.
 */
export function installTextRule(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const errors: FieldError[] = [];
    const add = (value: unknown, root: string) => {
      for (const v of findBadText(value, root, 20 - errors.length)) errors.push({ field: v.path, message: v.message });
    };
    add(request.params, 'path');
    add(request.query, 'query');
    add(request.body, 'body');
    for (const name of STORED_HEADERS) add(request.headers[name], `headers.${name}`);
    if (errors.length > 0) {
      throw new Invalid(`Text a node cannot store in ${errors.map((e) => e.field).join(', ')}.`, errors);
    }
  });
}
