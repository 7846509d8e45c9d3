import { describe, expect, it } from 'vitest';
import { deepEqual, DeepEqualSet } from '../../src/go/template/deep-equal.ts';
import { ELEMENT_BYTES } from '../../src/go/template/sprig.ts';
import { GoSlice } from '../../src/go/template/values.ts';
import { renderWith } from '../helpers/template-budget.ts';
import { RenderBudget } from '../../src/go/template/index.ts';

const render = (template: string): string => renderWith(new RenderBudget(), template);

/**
 * reflect.DeepEqual as sprig's has, uniq and without use it, with every comparison charged. The
 * expected outputs follow Go's rules: an int, a float64 and a string are different types, nil
 * equals nil, NaN equals nothing, 0 and -0 are ==.
 */
describe('uniq, without and has compare as reflect.DeepEqual', () => {
  it('tell types apart and compare lists by contents', () => {
    expect(render('{{ uniq (list 1 1.0 "1" 1 nil nil (list 1) (list 1) true true 2.5 2.5 (list 1.0)) }}')).toBe('[1 1 1 <nil> [1] true 2.5 [1]]');
    expect(render('{{ without (list 1 1.0 "1" nil (list 1) (list "1")) 1 nil (list 1) }}')).toBe('[1 1 [1]]');
    expect(render('{{ has 1.0 (list 1) }} {{ has (list 1) (list (list 1)) }} {{ has nil (list nil) }}')).toBe('false true true');
  });

  it('never find NaN, and find 0 as -0', () => {
    expect(render('{{ $n := float64 "NaN" }}{{ uniq (list $n $n 1.0 1.0) }} {{ without (list $n 1.0) $n }} {{ has $n (list $n) }}')).toBe('[NaN NaN 1] [NaN 1] false');
    expect(render('{{ uniq (list 0.0 (float64 "-0")) }} {{ uniq (list (float64 "-0") 0.0) }} {{ without (list (float64 "-0")) 0.0 }}')).toBe('[0] [-0] []');
  });

  it('keep the first of equal items, in order', () => {
    expect(render('{{ uniq (list 3 1 3 2 1 (list 2) (list 2) 2) }}')).toBe('[3 1 2 [2]]');
  });
});

describe('the work comparisons are charged', () => {
  it('charges each value compared, each element, and the bytes of strings of equal length', () => {
    let charged = 0;
    const charge = (n: number): void => void (charged += n);
    expect(deepEqual('abc', 'abd', charge)).toBe(false);
    expect(charged).toBe(ELEMENT_BYTES + 3);
    charged = 0;
    expect(deepEqual(new GoSlice('any', [1n, 'x']), new GoSlice('any', [1n, 'x']), charge)).toBe(true);
    expect(charged).toBe(ELEMENT_BYTES * 3 + ELEMENT_BYTES * 2 + 1);
  });

  it('looks scalars up in one step and compares lists one by one', () => {
    let charged = 0;
    const set = new DeepEqualSet((n) => void (charged += n));
    for (let i = 0n; i < 1000n; i++) set.add(i);
    set.add(new GoSlice('any', [1n]));
    set.add(new GoSlice('any', [2n]));
    charged = 0;
    expect(set.has(999n)).toBe(true);
    expect(charged).toBe(ELEMENT_BYTES);
    charged = 0;
    expect(set.has(new GoSlice('any', [2n]))).toBe(true);
    // The lookup, then [1] (differs at its element) and [2]: each list, its element and the element compared.
    expect(charged).toBe(ELEMENT_BYTES + 2 * (ELEMENT_BYTES + ELEMENT_BYTES + ELEMENT_BYTES));
  });

  it('lets uniq of a long list of scalars succeed quickly, and stops a quadratic one at the bound', () => {
    const budget = new RenderBudget();
    expect(renderWith(budget, '{{ len (uniq (until 100000)) }}')).toBe('100000');
    expect(budget.work).toBeLessThan(8 << 20);
    expect(() => render('{{ len (uniq (chunk 1 (until 20000))) }}')).toThrow(/error calling uniq: functions processed more than the limit/);
  });
});
