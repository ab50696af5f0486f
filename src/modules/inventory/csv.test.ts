// CSV for stock counts alone: RFC 4180 parsing with line numbers, and
// fields that stay text in a spreadsheet.
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../lib/csv.js';
import { parseCounts } from './csv.js';

describe('inventory CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, numbering lines as written', () => {
    const { records } = parseCsv('a,"b,c","say ""hi"""\r\n"multi\nline",x\n\nlast,1');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b,c', 'say "hi"'] },
      { line: 2, fields: ['multi\nline', 'x'] },
      { line: 5, fields: ['last', '1'] },
    ]);
  });

  it('finds columns by header, in any order, ignoring the others', () => {
    const { rows, errors } = parseCounts('\uFEFFname,threshold,onHand,itemId\nCherry,5,10,cherry\n');
    expect(errors).toEqual([]);
    expect(rows).toEqual([{ line: 2, itemId: 'cherry', onHand: 10, threshold: 5 }]);
  });

  it('reports every bad line, not only the first', () => {
    const { errors } = parseCounts('a,1\nb,x\nc,-1\na,2\n');
    expect(errors.map((e) => e.field)).toEqual(['body.line.2.onHand', 'body.line.3.onHand', 'body.line.4.itemId']);
  });

  it('quotes what needs it and defuses spreadsheet formulas', () => {
    expect(csvField('Cups, large')).toBe('"Cups, large"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });
});
