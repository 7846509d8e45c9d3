import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * One CA signs the apiserver's serving certificate and the admin client
 * certificate (group system:masters), as envtest does. ECDSA keys keep it fast.
 */
export function createCertificates(dir) {
    const file = (name) => join(dir, name);
    const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ecKey = (name) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
    ecKey('ca.key');
    openssl('req', '-x509', '-new', '-key', file('ca.key'), '-subj', '/CN=aws-secrets-operator-local-ca', '-days', '30', '-out', file('ca.crt'));
    const sign = (name, subject, extensions) => {
        ecKey(`${name}.key`);
        openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
        writeFileSync(file(`${name}.ext`), extensions);
        openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '30', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
    };
    sign('serving', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    sign('admin', '/O=system:masters/CN=admin', 'extendedKeyUsage=clientAuth\n');
    // The service-account issuer signs TokenRequest tokens with an RSA key.
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file('sa.key'));
    openssl('pkey', '-in', file('sa.key'), '-pubout', '-out', file('sa.pub'));
    return {
        caCert: file('ca.crt'),
        servingCert: file('serving.crt'),
        servingKey: file('serving.key'),
        adminCert: file('admin.crt'),
        adminKey: file('admin.key'),
        serviceAccountKey: file('sa.key'),
        serviceAccountPub: file('sa.pub'),
    };
}
/** A client certificate for a named user, signed by the same CA (for RBAC-scoped clients). */
export function createClientCertificate(dir, user, groups = []) {
    const file = (name) => join(dir, name);
    const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const base = `user-${user.replace(/[^a-z0-9-]/gi, '_')}`;
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${base}.key`));
    const subject = groups.map((g) => `/O=${g}`).join('') + `/CN=${user}`;
    openssl('req', '-new', '-key', file(`${base}.key`), '-subj', subject, '-out', file(`${base}.csr`));
    writeFileSync(file(`${base}.ext`), 'extendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', file(`${base}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '30', '-extfile', file(`${base}.ext`), '-out', file(`${base}.crt`));
    return { cert: file(`${base}.crt`), key: file(`${base}.key`) };
}
