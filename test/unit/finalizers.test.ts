import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { finalizerNameProblem, withTemplateFinalizers } from '../../src/sync/finalizers.ts';
import { finalizerNames } from '../helpers/finalizer-names.ts';


describe('finalizerNameProblem: the names the apiserver accepts', () => {
  it.each(finalizerNames)('%j: accepted %s', (name, accepted) => {
    const problem = finalizerNameProblem(name);
    if (accepted) expect(problem).toBeUndefined();
    else expect(problem).toMatch(/\S/);
  });

  it('says which part is wrong', () => {
    expect(finalizerNameProblem('Example.com/x')).toBe("the prefix before '/' must be a lowercase DNS subdomain (letters, digits, '-' and '.', e.g. example.com)");
    expect(finalizerNameProblem(`x/${'n'.repeat(64)}`)).toBe('the name part is longer than 63 characters');
    expect(finalizerNameProblem('a/b/c')).toBe("at most one '/' may separate a DNS subdomain prefix from the name (e.g. example.com/cleanup)");
  });
});

describe('withTemplateFinalizers: as ESO 2.9 adds them', () => {
  it("appends the template's finalizers the Secret lacks, in the template's order, after the Secret's own", () => {
    expect(withTemplateFinalizers({ finalizers: ['theirs.io/x', 'b.io/b'] }, ['a.io/a', 'b.io/b', 'c.io/c'])).toEqual(['theirs.io/x', 'b.io/b', 'a.io/a', 'c.io/c']);
  });

  it('adds a name given twice once', () => {
    expect(withTemplateFinalizers({}, ['a.io/a', 'a.io/a'])).toEqual(['a.io/a']);
  });

  it('never removes one: what the template no longer lists stays (another controller takes it off)', () => {
    expect(withTemplateFinalizers({ finalizers: ['dropped.io/x'] }, ['a.io/a'])).toEqual(['dropped.io/x', 'a.io/a']);
  });

  it('adds none to a Secret being deleted (the apiserver refuses new finalizers there), keeping its own', () => {
    expect(withTemplateFinalizers({ finalizers: ['a.io/a'], deletionTimestamp: '2026-12-03T07:00:00Z' }, ['a.io/a', 'b.io/b'])).toEqual(['a.io/a']);
  });

  it('does not modify the live list', () => {
    const live = { finalizers: ['theirs.io/x'] };
    withTemplateFinalizers(live, ['a.io/a']);
    expect(live.finalizers).toEqual(['theirs.io/x']);
  });

  it('refuses a name the apiserver would refuse as InvalidSpec (not retried), naming its index and quoting it escaped', () => {
    const err = (() => {
      try {
        withTemplateFinalizers({}, ['a.io/a', 'Bad Name\n']);
      } catch (e) {
        return e;
      }
    })() as OperatorError;
    expect(err).toBeInstanceOf(OperatorError);
    expect(err.code).toBe('InvalidSpec');
    expect(err.message).toBe('spec.target.template.metadata.finalizers[1]: "Bad Name\\n" is not a valid finalizer name: the name part may hold only letters, digits, \'-\', \'_\' and \'.\', and must start and end with a letter or digit');
  });

  it('cuts a long name short in the message', () => {
    expect(() => withTemplateFinalizers({}, [`y/${'x'.repeat(200)}`])).toThrow(`"y/${'x'.repeat(78)}…" is not a valid finalizer name: the name part is longer than 63 characters`);
  });

  it('refuses "orphan" beside "foregroundDeletion", from the template or with the Secret\'s own, as the apiserver does', () => {
    const both = 'spec.target.template.metadata.finalizers: the Secret would carry both "orphan" and "foregroundDeletion", which the apiserver refuses';
    expect(() => withTemplateFinalizers({}, ['orphan', 'foregroundDeletion'])).toThrow(both);
    expect(() => withTemplateFinalizers({ finalizers: ['foregroundDeletion'] }, ['orphan'])).toThrow(both);
    expect(withTemplateFinalizers({}, ['orphan'])).toEqual(['orphan']);
  });
});
