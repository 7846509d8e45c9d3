import { describe, expect, it } from 'vitest';
import { apiErrorParts } from '../../src/kube/api-error-message.ts';

const CANARY = 'CANARY-5f3a9e';

/** A 422 as kube-apiserver 1.34 answers a Secret whose label value is invalid: the message quotes the value. */
const invalidLabel = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', code: 422,
  message: `Secret "app" is invalid: metadata.labels: Invalid value: "${CANARY} x": a valid label must be an empty string or consist of alphanumeric characters`,
  details: { name: 'app', kind: 'Secret', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "${CANARY} x"`, field: 'metadata.labels' }] },
});

describe('apiErrorParts', () => {
  it('never repeats the message of a rejected write: it names the fields instead', () => {
    const parts = apiErrorParts(invalidLabel, true);
    expect(parts.reason).toBe('Invalid');
    expect(parts.message).not.toContain(CANARY);
    expect(parts.message).toBe('Secret "app" rejected: metadata.labels: invalid value; its message is withheld because it may quote the values sent');
  });

  it('names at most five causes', () => {
    const causes = Array.from({ length: 7 }, (_, i) => ({ reason: 'FieldValueInvalid', field: `metadata.annotations[a${i}]`, message: CANARY }));
    const parts = apiErrorParts(JSON.stringify({ kind: 'Status', reason: 'Invalid', message: CANARY, details: { kind: 'Secret', name: 'x', causes } }), true);
    expect(parts.message).not.toContain(CANARY);
    expect(parts.message).toMatch(/metadata\.annotations\[…\]: invalid value; and 2 more;/);
  });

  it('does not repeat subscripts of field paths: a template can make a key of a secret value', () => {
    const body = JSON.stringify({ kind: 'Status', reason: 'Invalid', message: CANARY, details: { kind: 'Secret', name: 'x', causes: [{ reason: 'FieldValueInvalid', field: `data[${CANARY} !]` }] } });
    expect(apiErrorParts(body, true).message).toMatch(/^Secret "x" rejected: data\[…\]: invalid value;/);
  });

  it('keeps RBAC refusals, whose fixed form quotes only names', () => {
    const message = 'secrets "app" is forbidden: User "system:serviceaccount:aws-secrets-operator:aws-secrets-operator" cannot update resource "secrets" in API group "" in the namespace "team-a"';
    expect(apiErrorParts(JSON.stringify({ kind: 'Status', reason: 'Forbidden', message }), true)).toEqual({ reason: 'Forbidden', message });
  });

  it('withholds any other refusal of a write, such as an admission webhook quoting the object', () => {
    const message = `admission webhook "policy.example.com" denied the request: label value ${CANARY} not allowed`;
    const parts = apiErrorParts(JSON.stringify({ kind: 'Status', reason: 'Forbidden', message }), true);
    expect(parts.message).toBe('rejected; its message is withheld because it may quote the values sent');
  });

  it('keeps self-explanatory reasons short, and bodies that are not a Status are never repeated for a write', () => {
    expect(apiErrorParts(JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'the object has been modified', details: { kind: 'secrets', name: 'app' } }), true).message).toBe('secrets "app" rejected');
    expect(apiErrorParts(`<html>${CANARY}</html>`, true)).toEqual({ reason: 'Unknown', message: 'rejected; its message is withheld because it may quote the values sent' });
  });

  it("keeps the apiserver's message for a request that sent nothing", () => {
    const body = JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'secrets "app" not found' });
    expect(apiErrorParts(body, false)).toEqual({ reason: 'NotFound', message: 'secrets "app" not found' });
  });
});
