/**
 * ESO's certificate chain ordering (runtime/template/v2/pem_chain.go) and filterCertChain: the
 * certificates of a PEM text put in order leaf, intermediates, root by matching each one's
 * AuthorityKeyId with another's SubjectKeyId. It orders; it verifies nothing (no signatures,
 * dates or trust), as in ESO. Quirks kept: a certificate without key ids matches another without
 * them (Go's bytes.Equal(nil, nil)), and the first match wins.
 */
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { decodePem, encodePem } from './pem.ts';
import { parseCertificate, sameKeyId, type Certificate } from './x509.ts';

/** The certificates of every PEM block of `text` (of any type, as ESO parses them all). */
export function parsePemCertificates(text: GoString): Certificate[] {
  const certs: Certificate[] = [];
  for (let [block, rest] = decodePem(text); block !== undefined; [block, rest] = decodePem(rest)) {
    certs.push(parseCertificate(block.bytes));
  }
  return certs;
}

/** fetchX509CertChains: the certificates ordered leaf first, or an error when no one chain fits. */
export function orderChain(certs: readonly Certificate[]): Certificate[] {
  const parent = new Array<number>(certs.length).fill(-1);
  const isParent = new Array<boolean>(certs.length).fill(false);
  // ESO takes, for each certificate, the first other one whose SubjectKeyId is its AuthorityKeyId.
  // Indexed by key id (absent as empty), so that a bundle of thousands is not compared pairwise.
  const bySubjectKeyId = new Map<GoString, number[]>();
  certs.forEach((c, i) => {
    const same = bySubjectKeyId.get(c.subjectKeyId ?? '');
    if (same === undefined) bySubjectKeyId.set(c.subjectKeyId ?? '', [i]);
    else if (same.length < 2) same.push(i);
  });
  certs.forEach((c, i) => {
    const candidates = bySubjectKeyId.get(c.authorityKeyId ?? '') ?? [];
    const j = candidates[0] === i ? candidates[1] : candidates[0];
    if (j !== undefined) {
      isParent[j] = true;
      parent[i] = j;
    }
  });
  let leaf = -1;
  for (let i = 0; i < certs.length; i++) {
    if (isParent[i]) continue;
    if (leaf >= 0) throw new FuncError('found multiple leaf or disjunct certificates');
    leaf = i;
  }
  if (leaf < 0) throw new FuncError('no leaf certificate found');
  const chain: Certificate[] = [];
  for (let i = leaf; i >= 0; i = parent[i]!) {
    if (chain.length === certs.length) throw new FuncError('constructing chain resulted in cycle');
    chain.push(certs[i]!);
  }
  return chain;
}

const certificatePem = (c: Certificate): GoString => encodePem({ type: 'CERTIFICATE', bytes: c.raw });

const isRoot = (c: Certificate): boolean => c.authorityKeyId === undefined || sameKeyId(c.authorityKeyId, c.subjectKeyId);

/** ESO's filterCertChain: the leaf, the intermediates or the root of a chain, or "" when it has none. */
export function filterCertChain(kind: GoString, text: GoString): GoString {
  const chain = orderChain(parsePemCertificates(text));
  switch (kind) {
    case 'leaf': {
      const c = chain[0]!;
      return c.authorityKeyId !== undefined && !sameKeyId(c.authorityKeyId, c.subjectKeyId) ? certificatePem(c) : '';
    }
    case 'intermediate': {
      let out = '';
      for (const c of chain.slice(1)) {
        if (isRoot(c)) break;
        out += certificatePem(c);
      }
      return out;
    }
    case 'root': {
      const c = chain[chain.length - 1]!;
      return isRoot(c) ? certificatePem(c) : '';
    }
  }
  return '';
}

/** PEM of the certificates, ordered as a chain when they form one, else as given (pkcs12cert). */
export function chainPem(certs: readonly Certificate[]): GoString {
  let ordered: readonly Certificate[] = certs;
  try {
    ordered = orderChain(certs);
  } catch (e) {
    if (!(e instanceof FuncError)) throw e;
  }
  return ordered.map(certificatePem).join('');
}
