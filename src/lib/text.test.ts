import { describe, expect, it } from 'vitest';
import { findBadText, lineText, multilineText, nameText, textProblem } from './text.js';

describe('the text rule', () => {
  it('accepts ordinary Unicode, emoji (surrogate pairs) and, by default, tab and newlines', () => {
    for (const s of ['Caramel Delight', 'Crème brûlée ☕', 'fizz 🥤', 'line one\nline two\ttab', '']) expect(textProblem(s)).toBeUndefined();
  });
  it('refuses NUL, other C0 controls, DEL and lone surrogates, saying which', () => {
    expect(textProblem('a\u0000')).toContain('NUL');
    expect(textProblem('a\u001b[31m')).toContain('U+001B');
    expect(textProblem('a\u007f')).toContain('U+007F');
    expect(textProblem('\ud83e')).toContain('lone UTF-16 surrogate');
    expect(textProblem('\udd64x')).toContain('lone UTF-16 surrogate');
  });
  it('refuses newlines and tabs in one-line fields', () => {
    expect(textProblem('a\nb', { multiline: false })).toContain('single line');
    expect(textProblem('a\tb', { multiline: false })).toContain('single line');
  });
  it('finds bad strings and bad keys anywhere in a JSON value, with their paths', () => {
    expect(findBadText({ a: ['ok', 'b\u0000'], c: { ['d\u0001']: 'x' }, n: 5 }, 'body')).toEqual([
      { path: 'body.a.1', message: 'must not contain a NUL character' },
      { path: 'body.c.(key)', message: expect.stringContaining('field name') },
    ]);
  });
  it('gives schemas the per-field rule: names trimmed and one line, notes multi-line, lengths', () => {
    expect(nameText(10).parse('  Ada  ')).toBe('Ada');
    expect(nameText(10).safeParse('   ').success).toBe(false);
    expect(nameText(10).safeParse('a\nb').success).toBe(false);
    expect(lineText(3).safeParse('abcd').success).toBe(false);
    expect(multilineText(20).parse('a\nb')).toBe('a\nb');
    expect(multilineText(20).safeParse('a\u0000').success).toBe(false);
  });
});
