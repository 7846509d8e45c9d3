import { describe, expect, it } from 'vitest';
import { ValueCache, valueKey } from '../../src/aws/value-cache.ts';

const value = (text: string, at = 0) => ({ secret: { name: 'n', secretString: text }, fetchedAt: at, checkedAt: at });

describe('ValueCache', () => {
  it('an identity never sees the values another identity read', () => {
    const cache = new ValueCache();
    const a = cache.identity();
    const b = cache.identity();
    a.set(valueKey('db', 'AWSCURRENT'), value('secret of a'));
    expect(a.get(valueKey('db', 'AWSCURRENT'))?.secret.secretString).toBe('secret of a');
    expect(b.get(valueKey('db', 'AWSCURRENT'))).toBeUndefined();
    expect([...b.keys()]).toEqual([]);
    expect([...a.keys()]).toEqual([valueKey('db', 'AWSCURRENT')]);
  });

  it('holds at most its bound in bytes, the least recently used going first', () => {
    const cache = new ValueCache(4_096);
    const a = cache.identity();
    for (let i = 0; i < 10; i++) a.set(valueKey(`s${i}`, 'AWSCURRENT'), value('x'.repeat(500)));
    expect(cache.bytes).toBeLessThanOrEqual(4_096);
    expect(a.get(valueKey('s0', 'AWSCURRENT'))).toBeUndefined();
    expect(a.get(valueKey('s9', 'AWSCURRENT'))).toBeDefined();
    expect(a.size()).toBe([...a.keys()].length);
    expect(a.size()).toBeLessThan(10);
  });

  it('a value larger than the whole bound is not kept', () => {
    const cache = new ValueCache(1_024);
    const a = cache.identity();
    a.set(valueKey('huge', 'AWSCURRENT'), value('x'.repeat(4_096)));
    expect(a.get(valueKey('huge', 'AWSCURRENT'))).toBeUndefined();
    expect(a.size()).toBe(0);
  });

  it('dropping an identity frees its values and leaves the others', () => {
    const cache = new ValueCache();
    const a = cache.identity();
    const b = cache.identity();
    a.set(valueKey('x', 'AWSCURRENT'), value('a'));
    b.set(valueKey('x', 'AWSCURRENT'), value('b'));
    const before = cache.bytes;
    a.drop();
    expect(cache.bytes).toBeLessThan(before);
    expect(b.get(valueKey('x', 'AWSCURRENT'))?.secret.secretString).toBe('b');
  });
});
