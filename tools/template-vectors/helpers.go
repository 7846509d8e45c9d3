package main

// ESO's certificate and JWK template helpers (runtime/template/v2: pkcs12.go, pem.go,
// pem_chain.go, jwk.go), restated from reading them, over the libraries ESO uses:
// software.sslmate.com/src/go-pkcs12 and github.com/lestrrat-go/jwx/v2. ESO's own
// module is not served whole by the module proxy here, so it cannot be imported.
// Each function keeps ESO's observable behaviour: the same library calls in the same
// order, the same error texts, the same panics on input without a PEM block (which
// text/template turns into an error).

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"
	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

func pemText(der []byte, kind string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}))
}

func keyFromPfx(pass, input string) (string, error) {
	key, _, _, err := gopkcs12.DecodeChain([]byte(input), pass)
	if err != nil {
		return "", fmt.Errorf("unable to decode pkcs12 with password: %s", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return pemText(der, "PRIVATE KEY"), nil
}

func certsFromPfx(pass, input string) (string, error) {
	_, leaf, cas, err := gopkcs12.DecodeChain([]byte(input), pass)
	if err != nil {
		return "", fmt.Errorf("unable to decode pkcs12 certificate with password: %s", err)
	}
	all := pemText(leaf.Raw, "CERTIFICATE")
	for _, c := range cas {
		all += pemText(c.Raw, "CERTIFICATE")
	}
	chain, err := orderChain([]byte(all))
	if err != nil {
		return all, nil
	}
	out := ""
	for _, c := range chain {
		out += pemText(c.Raw, "CERTIFICATE")
	}
	return out, nil
}

func anyPrivateKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("unable to parse private key type")
}

func toPfx(leaf *x509.Certificate, keyPem string, cas []*x509.Certificate, pass string) (string, error) {
	block, _ := pem.Decode([]byte(keyPem))
	key, err := anyPrivateKey(block.Bytes) // a nil block panics, as in ESO
	if err != nil {
		return "", err
	}
	pfx, err := gopkcs12.Modern.Encode(key, leaf, cas, pass)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(pfx), nil
}

func pemToPfx(cert, key, pass string) (string, error) {
	block, _ := pem.Decode([]byte(cert))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", err
	}
	return toPfx(leaf, key, nil, pass)
}

func fullPemToPfx(cert, key, pass string) (string, error) {
	block, rest := pem.Decode([]byte(cert))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", err
	}
	cas, err := certsUntilEnd(rest)
	if err != nil {
		return "", err
	}
	return toPfx(leaf, key, cas, pass)
}

func certsUntilEnd(rest []byte) ([]*x509.Certificate, error) {
	cas := []*x509.Certificate{}
	for len(rest) > 0 {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		cas = append(cas, c)
	}
	return cas, nil
}

func truststoreToPfx(cert, pass string) (string, error) {
	cas, err := certsUntilEnd([]byte(cert))
	if err != nil {
		return "", err
	}
	pfx, err := gopkcs12.Modern.EncodeTrustStore(cas, pass)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(pfx), nil
}

func filterPEM(kind, input string) (string, error) {
	if i := strings.Index(input, "-----BEGIN"); i != -1 {
		input = input[i:]
	}
	data := []byte(input)
	var out []byte
	var block *pem.Block
	for {
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if strings.EqualFold(block.Type, kind) {
			out = append(out, pem.EncodeToMemory(block)...)
		}
	}
	if len(out) == 0 && len(data) != 0 {
		return "", errors.New("error filtering pem: found junk")
	}
	return string(out), nil
}

type chainNode struct {
	cert     *x509.Certificate
	parent   *chainNode
	isParent bool
}

func orderChain(data []byte) ([]*x509.Certificate, error) {
	var nodes []*chainNode
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, &chainNode{cert: c})
	}
	for i := range nodes {
		for j := range nodes {
			if i != j && bytes.Equal(nodes[i].cert.AuthorityKeyId, nodes[j].cert.SubjectKeyId) {
				nodes[j].isParent = true
				nodes[i].parent = nodes[j]
				break
			}
		}
	}
	var leaf *chainNode
	for _, n := range nodes {
		if !n.isParent {
			if leaf != nil {
				return nil, errors.New("found multiple leaf or disjunct certificates")
			}
			leaf = n
		}
	}
	if leaf == nil {
		return nil, errors.New("no leaf certificate found")
	}
	var chain []*x509.Certificate
	for n := leaf; n != nil; n = n.parent {
		if len(chain) == len(nodes) {
			return nil, errors.New("constructing chain resulted in cycle")
		}
		chain = append(chain, n.cert)
	}
	return chain, nil
}

func isRoot(c *x509.Certificate) bool {
	return c.AuthorityKeyId == nil || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId)
}

func filterCertChain(kind, input string) (string, error) {
	chain, err := orderChain([]byte(input))
	if err != nil {
		return "", err
	}
	switch kind {
	case "leaf":
		c := chain[0]
		if c.AuthorityKeyId != nil && !bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId) {
			return pemText(c.Raw, "CERTIFICATE"), nil
		}
	case "intermediate":
		if len(chain) < 2 {
			return "", nil
		}
		out := ""
		for _, c := range chain[1:] {
			if isRoot(c) {
				break
			}
			out += pemText(c.Raw, "CERTIFICATE")
		}
		return out, nil
	case "root":
		if c := chain[len(chain)-1]; isRoot(c) {
			return pemText(c.Raw, "CERTIFICATE"), nil
		}
	}
	return "", nil
}

func certSANs(input string) ([]string, error) {
	if i := strings.Index(input, "-----BEGIN"); i != -1 {
		input = input[i:]
	}
	block, _ := pem.Decode([]byte(input))
	if block == nil {
		return nil, errors.New("failed to decode PEM block")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate: %w", err)
	}
	sans := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		sans = append(sans, ip.String())
	}
	sans = append(sans, c.EmailAddresses...)
	for _, u := range c.URIs {
		sans = append(sans, u.String())
	}
	return sans, nil
}

// jwkPublic and jwkPrivate differ only in how the parsed key is written: a PKIX public key or a
// PKCS#8 private key, each as PEM.
func jwkPublic(text string) (string, error) {
	return jwkPEM(text, x509.MarshalPKIXPublicKey, "PUBLIC KEY")
}

func jwkPrivate(text string) (string, error) {
	return jwkPEM(text, x509.MarshalPKCS8PrivateKey, "PRIVATE KEY")
}

func jwkPEM(text string, marshal func(any) ([]byte, error), block string) (string, error) {
	k, err := jwk.ParseKey([]byte(text))
	if err != nil {
		return "", err
	}
	var raw any
	if err := k.Raw(&raw); err != nil {
		return "", err
	}
	der, err := marshal(raw)
	if err != nil {
		return "", err
	}
	return pemText(der, block), nil
}

var funcs = map[string]any{
	"pkcs12key":                 func(in string) (string, error) { return keyFromPfx("", in) },
	"pkcs12keyPass":             keyFromPfx,
	"pkcs12cert":                func(in string) (string, error) { return certsFromPfx("", in) },
	"pkcs12certPass":            certsFromPfx,
	"pemToPkcs12":               func(c, k string) (string, error) { return pemToPfx(c, k, "") },
	"pemToPkcs12Pass":           pemToPfx,
	"fullPemToPkcs12":           func(c, k string) (string, error) { return fullPemToPfx(c, k, "") },
	"fullPemToPkcs12Pass":       fullPemToPfx,
	"pemTruststoreToPKCS12":     func(c string) (string, error) { return truststoreToPfx(c, "") },
	"pemTruststoreToPKCS12Pass": truststoreToPfx,
	"filterPEM":                 filterPEM,
	"filterCertChain":           filterCertChain,
	"certSANs":                  certSANs,
	"join": func(sep string, v []string) string {
		return strings.Join(v, sep)
	},
	"jwkPublicKeyPem":           jwkPublic,
	"jwkPrivateKeyPem":          jwkPrivate,
	"b64dec": func(s string) string {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return err.Error()
		}
		return string(b)
	},
}
