import { describe, expect, it } from 'vitest';
import { miles, money, orderStatus, stockLevel } from './format';
import { findPlace } from '../features/stores/places';

describe('formatting for people', () => {
  it('writes money in dollars, negative with a minus sign', () => {
    expect(money(599)).toBe('$5.99');
    expect(money(0)).toBe('$0.00');
    expect(money(-1250)).toBe('−$12.50');
  });

  it('writes distances to a tenth under ten miles', () => {
    expect(miles(0.04)).toBe('here');
    expect(miles(1.57)).toBe('1.6 mi');
    expect(miles(42.4)).toBe('42 mi');
  });

  it('names order statuses in words', () => {
    expect(orderStatus('picked_up')).toBe('Picked up');
    expect(orderStatus('ready')).toBe('Ready in the locker');
  });

  it('grades stock against its threshold: 50 % and up ok, 20–49 % low, under 20 % critical', () => {
    expect(stockLevel(10, 20)).toMatchObject({ level: 'ok', percent: 50 });
    expect(stockLevel(9, 20)).toMatchObject({ level: 'low', percent: 45 });
    expect(stockLevel(4, 20)).toMatchObject({ level: 'low', percent: 20 });
    expect(stockLevel(3, 20)).toMatchObject({ level: 'critical', percent: 15 });
    expect(stockLevel(0, 0).level).toBe('critical');
    expect(stockLevel(5, 0).level).toBe('ok');
  });
});

describe('typed places', () => {
  it('reads coordinates and city names, and refuses nonsense', () => {
    expect(findPlace('41.7, -111.8')).toMatchObject({ lat: 41.7, lon: -111.8 });
    expect(findPlace('logan')?.label).toBe('Logan, UT');
    expect(findPlace('dallas')?.label).toBe('Dallas, TX');
    expect(findPlace('91, 10')).toBeUndefined();
    expect(findPlace('x')).toBeUndefined();
    expect(findPlace('Atlantis')).toBeUndefined();
  });
});
