// Command template-vectors writes the test vectors of the certificate and JWK template
// helpers: it makes keys, certificates, PKCS#12 archives and JWKs, renders templates
// that call the helpers with Go's text/template and the functions of helpers.go, and
// prints the cases as JSON (test/data/template-certs/vectors.json):
//
//	go run . > ../../test/data/template-certs/vectors.json
//
// Keys and salts are random, so every run writes different vectors. `go run . decode`
// reads {"pfx": base64, "password": ...} lines on stdin and prints what go-pkcs12 and
// ESO's helpers make of each: it checks archives made by our encoder.
package main

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

type vectorCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	Data     map[string]string `json:"data"` // base64 of each value
	Want     *string           `json:"want,omitempty"`
	Error    *string           `json:"error,omitempty"`
}

type vectors struct {
	Note   string            `json:"note"`
	Inputs map[string]string `json:"inputs"` // base64
	Cases  []vectorCase      `json:"cases"`
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var serial int64

func issue(name string, key crypto.Signer, parent *issued, ca bool, ski []byte, aki []byte) *issued {
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true,
		IsCA:                  ca,
		SubjectKeyId:          ski,
		AuthorityKeyId:        aki,
		DNSNames:              []string{name + ".example.com"},
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey))
	return &issued{cert: must(x509.ParseCertificate(der)), key: key}
}

func keyID(k crypto.Signer) []byte {
	der := must(x509.MarshalPKIXPublicKey(k.Public()))
	sum := sha1.Sum(der)
	return sum[:]
}

func certPem(cs ...*issued) string {
	out := ""
	for _, c := range cs {
		out += pemText(c.cert.Raw, "CERTIFICATE")
	}
	return out
}

func render(tpl string, data map[string]string) (string, error) {
	t, err := template.New("t").Option("missingkey=error").Funcs(funcs).Parse(tpl)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, data)
	return buf.String(), err
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "decode" {
		decode()
		return
	}
	rsaRoot := must(rsa.GenerateKey(rand.Reader, 2048))
	ecInter := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	rsaLeaf := must(rsa.GenerateKey(rand.Reader, 2048))
	ecLeaf := must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader))
	_, edLeaf := must2(ed25519.GenerateKey(rand.Reader))

	root := issue("root", rsaRoot, nil, true, keyID(rsaRoot), nil)
	inter := issue("intermediate", ecInter, root, true, keyID(ecInter), root.cert.SubjectKeyId)
	leaf := issue("leaf", rsaLeaf, inter, false, keyID(rsaLeaf), inter.cert.SubjectKeyId)
	ecLeafCert := issue("ec-leaf", ecLeaf, inter, false, keyID(ecLeaf), inter.cert.SubjectKeyId)
	edLeafCert := issue("ed-leaf", edLeaf, root, false, keyID(edLeaf), root.cert.SubjectKeyId)
	// Self-signed, with no key ids at all: "disjunct" from the chain above.
	otherKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	other := issue("other", otherKey, nil, false, []byte{}, nil)

	sansKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	sans := issue("sans", sansKey, inter, false, keyID(sansKey), inter.cert.SubjectKeyId)
	sans.cert = withSANs(sans.cert, inter)

	richKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	rich := issue("rich", richKey, root, false, keyID(richKey), root.cert.SubjectKeyId)
	rich.cert = withRichSubject(rich.cert, root)

	in := map[string]string{}
	in["sans.crt"] = certPem(sans)
	in["rich.crt"] = certPem(rich)
	in["truststore.pem"] = certPem(root, inter, rich)
	in["root.crt"] = certPem(root)
	in["intermediate.crt"] = certPem(inter)
	in["leaf.crt"] = certPem(leaf)
	in["ec-leaf.crt"] = certPem(ecLeafCert)
	in["ed-leaf.crt"] = certPem(edLeafCert)
	in["other.crt"] = certPem(other)
	in["chain.pem"] = certPem(leaf, inter, root)
	in["chain-shuffled.pem"] = certPem(root, leaf, inter)
	in["chain-disjunct.pem"] = certPem(leaf, inter, root, other)
	in["leaf-pkcs1.key"] = pemText(x509.MarshalPKCS1PrivateKey(rsaLeaf), "RSA PRIVATE KEY")
	in["leaf-pkcs8.key"] = pemText(must(x509.MarshalPKCS8PrivateKey(rsaLeaf)), "PRIVATE KEY")
	in["ec-leaf-sec1.key"] = pemText(must(x509.MarshalECPrivateKey(ecLeaf)), "EC PRIVATE KEY")
	in["ed-leaf-pkcs8.key"] = pemText(must(x509.MarshalPKCS8PrivateKey(edLeaf)), "PRIVATE KEY")
	in["bundle.pem"] = "Bag Attributes\n    friendlyName: leaf\n" + in["leaf.crt"] + "subject=CN=intermediate\n" + in["intermediate.crt"] + in["leaf-pkcs1.key"]
	in["with-headers.pem"] = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n" + in["root.crt"]

	pfx := func(enc *gopkcs12.Encoder, key any, c *issued, cas []*x509.Certificate, pass string) string {
		return string(must(enc.Encode(key, c.cert, cas, pass)))
	}
	in["modern.pfx"] = pfx(gopkcs12.Modern, rsaLeaf, leaf, []*x509.Certificate{root.cert, inter.cert}, "s3cret")
	in["modern-nopass.pfx"] = pfx(gopkcs12.Modern, ecLeaf, ecLeafCert, []*x509.Certificate{inter.cert, root.cert}, "")
	in["legacy-des.pfx"] = pfx(gopkcs12.LegacyDES, rsaLeaf, leaf, []*x509.Certificate{inter.cert}, "s3cret")
	in["legacy-rc2.pfx"] = pfx(gopkcs12.LegacyRC2, edLeaf, edLeafCert, []*x509.Certificate{root.cert}, "s3cret")
	in["passwordless.pfx"] = pfx(gopkcs12.Passwordless, rsaLeaf, leaf, nil, "")
	in["disjunct.pfx"] = pfx(gopkcs12.Modern, rsaLeaf, leaf, []*x509.Certificate{other.cert}, "")
	in["modern-2026.pfx"] = pfx(gopkcs12.Modern2026, rsaLeaf, leaf, nil, "s3cret")


	// Archives other tools make, when they are installed: OpenSSL 3's defaults (PBES2, AES-256,
	// SHA-256 MAC), its 3DES/SHA-1 form, and Java's keytool (PBES2 with 10,000 iterations).
	for name, args := range map[string][]string{
		"openssl.pfx":        {"-passout", "pass:s3cret"},
		"openssl-3des.pfx":   {"-passout", "pass:s3cret", "-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"},
		"openssl-nopass.pfx": {"-passout", "pass:"},
	} {
		if out, ok := openssl(in["leaf.crt"], in["leaf-pkcs8.key"], certPem(inter, root), args); ok {
			in[name] = out
		}
	}
	if _, ok := in["openssl.pfx"]; ok {
		if out, ok := keytool(in["openssl.pfx"]); ok {
			in["keytool.p12"] = out
		}
	}

	rsaJwk := must(jwk.FromRaw(rsaLeaf))
	ecJwk := must(jwk.FromRaw(ecLeaf))
	edJwk := must(jwk.FromRaw(edLeaf))
	p256Jwk := must(jwk.FromRaw(ecInter))
	jsonOf := func(k jwk.Key) string { return string(must(json.Marshal(k))) }
	pub := func(k jwk.Key) jwk.Key { return must(k.PublicKey()) }
	in["rsa.jwk"] = jsonOf(rsaJwk)
	in["rsa-public.jwk"] = jsonOf(pub(rsaJwk))
	in["ec-p384.jwk"] = jsonOf(ecJwk)
	in["ec-p256-public.jwk"] = jsonOf(pub(p256Jwk))
	in["ed25519.jwk"] = jsonOf(edJwk)
	in["ed25519-public.jwk"] = jsonOf(pub(edJwk))
	in["oct.jwk"] = `{"kty":"oct","k":"c2VjcmV0LWtleS1ieXRlcw"}`
	in["unknown-kty.jwk"] = `{"kty":"XYZ"}`
	in["not-json.jwk"] = `not json`
	in["no-kty.jwk"] = `{"n":"AQAB"}`

	v := vectors{Inputs: map[string]string{}}
	for k, s := range in {
		v.Inputs[k] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	add := func(name, tpl string, data map[string]string) {
		c := vectorCase{Name: name, Template: tpl, Data: map[string]string{}}
		for k, key := range data {
			c.Data[k] = v.Inputs[key]
			if _, ok := in[key]; !ok {
				c.Data[k] = base64.StdEncoding.EncodeToString([]byte(key))
			}
		}
		plain := map[string]string{}
		for k := range c.Data {
			plain[k] = string(must(base64.StdEncoding.DecodeString(c.Data[k])))
		}
		out, err := render(tpl, plain)
		if err != nil {
			e := err.Error()
			c.Error = &e
		} else {
			w := base64.StdEncoding.EncodeToString([]byte(out))
			c.Want = &w
		}
		v.Cases = append(v.Cases, c)
	}
	d := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	// filterPEM
	add("filterPEM certificates of a bundle", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", "bundle.pem"))
	add("filterPEM is case-insensitive", `{{ .b | filterPEM "rsa private key" }}`, d("b", "bundle.pem"))
	add("filterPEM keeps headers", `{{ .b | filterPEM "RSA PRIVATE KEY" }}`, d("b", "with-headers.pem"))
	add("filterPEM no match", `{{ .b | filterPEM "EC PRIVATE KEY" }}`, d("b", "bundle.pem"))
	add("filterPEM junk only", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", "no pem here"))
	add("filterPEM empty", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", ""))
	add("filterPEM junk after", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", in["root.crt"]+"trailing junk\n"))
	add("filterPEM no match with junk after", `{{ .b | filterPEM "PRIVATE KEY" }}`, d("b", in["root.crt"]+"trailing junk\n"))
	add("filterPEM BEGIN mid-line", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", "junk "+in["root.crt"]))
	add("filterPEM CRLF", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", string(bytes.ReplaceAll([]byte(in["root.crt"]), []byte("\n"), []byte("\r\n")))))
	add("filterPEM bad base64 skipped", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"+in["root.crt"]))
	add("filterPEM unterminated", `{{ .b | filterPEM "CERTIFICATE" }}`, d("b", "-----BEGIN CERTIFICATE-----\nAAAA\n"))
	add("filterPEM empty block", `{{ .b | filterPEM "X" }}`, d("b", "-----BEGIN X-----\n-----END X-----\n"))

	// filterCertChain
	for _, kind := range []string{"leaf", "intermediate", "root"} {
		add("filterCertChain "+kind, `{{ .c | filterCertChain "`+kind+`" }}`, d("c", "chain-shuffled.pem"))
		add("filterCertChain "+kind+" of a root alone", `{{ .c | filterCertChain "`+kind+`" }}`, d("c", "root.crt"))
		add("filterCertChain "+kind+" of a self-signed certificate without key ids", `{{ .c | filterCertChain "`+kind+`" }}`, d("c", "other.crt"))
	}
	add("filterCertChain disjunct", `{{ .c | filterCertChain "leaf" }}`, d("c", "chain-disjunct.pem"))
	add("filterCertChain unknown type", `{{ .c | filterCertChain "other" }}`, d("c", "chain.pem"))
	add("filterCertChain no certificate", `{{ .c | filterCertChain "leaf" }}`, d("c", "junk"))
	add("filterCertChain not a certificate", `{{ .c | filterCertChain "leaf" }}`, d("c", "leaf-pkcs8.key"))

	// pkcs12 decoders
	for _, f := range []string{"modern.pfx", "legacy-des.pfx", "legacy-rc2.pfx", "modern-2026.pfx"} {
		add("pkcs12keyPass "+f, `{{ .p | pkcs12keyPass "s3cret" }}`, d("p", f))
		add("pkcs12certPass "+f, `{{ .p | pkcs12certPass "s3cret" }}`, d("p", f))
		add("pkcs12keyPass wrong password "+f, `{{ .p | pkcs12keyPass "wrong" }}`, d("p", f))
		add("pkcs12certPass wrong password "+f, `{{ .p | pkcs12certPass "wrong" }}`, d("p", f))
	}
	for _, f := range []string{"modern-nopass.pfx", "passwordless.pfx", "disjunct.pfx"} {
		add("pkcs12key "+f, `{{ .p | pkcs12key }}`, d("p", f))
		add("pkcs12cert "+f, `{{ .p | pkcs12cert }}`, d("p", f))
	}
	for _, f := range []string{"openssl.pfx", "openssl-3des.pfx", "keytool.p12"} {
		if _, ok := in[f]; ok {
			add("pkcs12keyPass "+f, `{{ .p | pkcs12keyPass "s3cret" }}`, d("p", f))
			add("pkcs12certPass "+f, `{{ .p | pkcs12certPass "s3cret" }}`, d("p", f))
		}
	}
	if _, ok := in["openssl-nopass.pfx"]; ok {
		add("pkcs12key openssl-nopass.pfx", `{{ .p | pkcs12key }}`, d("p", "openssl-nopass.pfx"))
		add("pkcs12cert openssl-nopass.pfx", `{{ .p | pkcs12cert }}`, d("p", "openssl-nopass.pfx"))
	}
	add("pkcs12key password needed", `{{ .p | pkcs12key }}`, d("p", "modern.pfx"))
	add("pkcs12key not a pfx", `{{ .p | pkcs12key }}`, d("p", "not a pfx"))
	add("pkcs12cert not a pfx", `{{ .p | pkcs12cert }}`, d("p", "root.crt"))
	add("pkcs12key from base64", `{{ .p | b64dec | pkcs12keyPass "s3cret" }}`, d("p", base64.StdEncoding.EncodeToString([]byte(in["modern.pfx"]))))

	// pkcs12 encoders: outputs are random; the test decodes them.
	add("pemToPkcs12 pkcs1 key", `{{ pemToPkcs12 .c .k }}`, d("c", "leaf.crt", "k", "leaf-pkcs1.key"))
	add("pemToPkcs12Pass pkcs8 key", `{{ pemToPkcs12Pass .c .k "s3cret" }}`, d("c", "chain.pem", "k", "leaf-pkcs8.key"))
	add("pemToPkcs12Pass sec1 key", `{{ pemToPkcs12Pass .c .k "s3cret" }}`, d("c", "ec-leaf.crt", "k", "ec-leaf-sec1.key"))
	add("pemToPkcs12 ed25519 key", `{{ pemToPkcs12 .c .k }}`, d("c", "ed-leaf.crt", "k", "ed-leaf-pkcs8.key"))
	add("fullPemToPkcs12 chain", `{{ fullPemToPkcs12 .c .k }}`, d("c", "chain.pem", "k", "leaf-pkcs1.key"))
	add("fullPemToPkcs12Pass chain", `{{ fullPemToPkcs12Pass .c .k "s3cret" }}`, d("c", "chain.pem", "k", "leaf-pkcs8.key"))
	add("pemTruststoreToPKCS12 chain", `{{ pemTruststoreToPKCS12 .c }}`, d("c", "chain.pem"))
	add("pemTruststoreToPKCS12Pass chain", `{{ pemTruststoreToPKCS12Pass .c "s3cret" }}`, d("c", "chain.pem"))
	add("pemToPkcs12 no certificate", `{{ pemToPkcs12 .c .k }}`, d("c", "junk", "k", "leaf-pkcs1.key"))
	add("pemToPkcs12 no key", `{{ pemToPkcs12 .c .k }}`, d("c", "leaf.crt", "k", "junk"))
	add("pemToPkcs12 key is a certificate", `{{ pemToPkcs12 .c .k }}`, d("c", "leaf.crt", "k", "root.crt"))
	add("pemToPkcs12 certificate is a key", `{{ pemToPkcs12 .c .k }}`, d("c", "leaf-pkcs8.key", "k", "leaf-pkcs8.key"))
	add("fullPemToPkcs12 trailing blank line", `{{ fullPemToPkcs12 .c .k }}`, d("c", in["chain.pem"]+"\n", "k", "leaf-pkcs1.key"))
	add("pemTruststoreToPKCS12 empty", `{{ pemTruststoreToPKCS12 .c }}`, d("c", ""))
	add("pemTruststoreToPKCS12Pass subjects Go prints in its own order", `{{ pemTruststoreToPKCS12Pass .c "s3cret" }}`, d("c", "truststore.pem"))
	add("pemTruststoreToPKCS12 trailing blank line", `{{ pemTruststoreToPKCS12 .c }}`, d("c", in["truststore.pem"]+"\n"))
	add("pemTruststoreToPKCS12 not a certificate", `{{ pemTruststoreToPKCS12 .c }}`, d("c", "leaf-pkcs8.key"))

	// certSANs
	add("certSANs of a certificate with every kind of name", `{{ .c | certSANs | join "," }}`, d("c", "sans.crt"))
	add("certSANs printed as a list", `{{ certSANs .c }}`, d("c", "sans.crt"))
	add("certSANs of the first certificate of a chain", `{{ .c | certSANs | join "," }}`, d("c", "chain.pem"))
	add("certSANs without names", `{{ .c | certSANs | join "," }}`, d("c", "other.crt"))
	add("certSANs after junk", `{{ .c | certSANs | join "," }}`, d("c", "junk "+in["sans.crt"]))
	add("certSANs no PEM", `{{ .c | certSANs }}`, d("c", "junk"))
	add("certSANs not a certificate", `{{ .c | certSANs }}`, d("c", "leaf-pkcs8.key"))

	// jwk
	for _, f := range []string{"rsa.jwk", "rsa-public.jwk", "ec-p384.jwk", "ec-p256-public.jwk", "ed25519.jwk", "ed25519-public.jwk", "oct.jwk", "unknown-kty.jwk", "not-json.jwk", "no-kty.jwk"} {
		add("jwkPublicKeyPem "+f, `{{ .j | jwkPublicKeyPem }}`, d("j", f))
		add("jwkPrivateKeyPem "+f, `{{ .j | jwkPrivateKeyPem }}`, d("j", f))
	}

	v.Note = "Made by tools/template-vectors (go run . > test/data/template-certs/vectors.json) with " +
		"Go " + goVersion() + ", software.sslmate.com/src/go-pkcs12 v0.7.4 and github.com/lestrrat-go/jwx/v2 v2.1.6: " +
		"ESO's helpers restated in Go from runtime/template/v2 (ESO's module is not served whole here), rendered by Go's text/template. " +
		"openssl*.pfx and keytool.p12 were made by " + tools() + ". Inputs and data values are base64; want is the base64 of the output; error is Go's full error text. " +
		"PKCS#12 encoder outputs are random: tests decode them instead of comparing bytes."
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(0, enc.Encode(v))
}

// withRichSubject reissues c with a subject of every attribute Go names, several values, characters
// RFC 2253 escapes, and attributes Go has no name for, so that pkix.Name.String() shows its rules.
func withRichSubject(c *x509.Certificate, parent *issued) *x509.Certificate {
	tmpl := *c
	tmpl.RawSubject = nil // else CreateCertificate keeps the parsed subject
	tmpl.Subject = pkix.Name{
		Country:            []string{"US"},
		Province:           []string{"California"},
		Locality:           []string{"San Francisco"},
		StreetAddress:      []string{"1 Main St"},
		PostalCode:         []string{"94105"},
		Organization:       []string{"Example, Inc.", "Second+Org"},
		OrganizationalUnit: []string{" Ops "},
		CommonName:         "#hash \"q\" <x>;\\ é",
		SerialNumber:       "42",
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "admin@example.com"},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: "Ünïcode"},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "#hash \"q\" <x>;\\ é"},
		},
	}
	der := must(x509.CreateCertificate(rand.Reader, &tmpl, parent.cert, c.PublicKey, parent.key))
	return must(x509.ParseCertificate(der))
}

// withSANs reissues c with names of every kind SANs hold, IPv6 forms included.
func withSANs(c *x509.Certificate, parent *issued) *x509.Certificate {
	tmpl := *c
	tmpl.DNSNames = []string{"sans.example.com", "*.sans.example.com"}
	tmpl.IPAddresses = []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("2001:db8::1"), net.ParseIP("::ffff:192.168.0.1"),
		net.ParseIP("2001:db8:0:0:1:0:0:1"), net.ParseIP("::"), net.ParseIP("fe80::a:0:0:0:b").To16()}
	tmpl.EmailAddresses = []string{"admin@example.com"}
	tmpl.URIs = []*url.URL{must(url.Parse("spiffe://cluster.local/ns/default/sa/app")), must(url.Parse("https://example.com/a%20b?q=1#f"))}
	der := must(x509.CreateCertificate(rand.Reader, &tmpl, parent.cert, c.PublicKey, parent.key))
	return must(x509.ParseCertificate(der))
}

// openssl runs `openssl pkcs12 -export` on the PEM inputs; false when it is not installed or fails.
func openssl(cert, key, chain string, args []string) (string, bool) {
	dir := must(os.MkdirTemp("", "vectors"))
	defer os.RemoveAll(dir)
	for name, text := range map[string]string{"cert.pem": cert, "key.pem": key, "chain.pem": chain} {
		must(0, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
	}
	cmd := exec.Command("openssl", append([]string{"pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem",
		"-certfile", "chain.pem", "-out", "out.pfx"}, args...)...)
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		return "", false
	}
	return string(must(os.ReadFile(filepath.Join(dir, "out.pfx")))), true
}

// keytool has Java's keytool copy a PKCS#12 archive into a new one, written by Java.
func keytool(pfx string) (string, bool) {
	dir := must(os.MkdirTemp("", "vectors"))
	defer os.RemoveAll(dir)
	must(0, os.WriteFile(filepath.Join(dir, "in.pfx"), []byte(pfx), 0o600))
	cmd := exec.Command("keytool", "-importkeystore", "-noprompt", "-srckeystore", "in.pfx", "-srcstoretype", "PKCS12",
		"-srcstorepass", "s3cret", "-destkeystore", "out.p12", "-deststoretype", "PKCS12", "-deststorepass", "s3cret")
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		return "", false
	}
	return string(must(os.ReadFile(filepath.Join(dir, "out.p12")))), true
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

func tools() string {
	o, _ := exec.Command("openssl", "version").Output()
	j, _ := exec.Command("java", "-version").CombinedOutput()
	return strings.TrimSpace(string(o)) + " and keytool of " + strings.SplitN(strings.TrimSpace(string(j)), "\n", 2)[0]
}

// decode prints, for each archive on stdin, what ESO's pkcs12key and pkcs12cert make of it.
func decode() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		var req struct{ Pfx, Password string }
		must(0, json.Unmarshal(sc.Bytes(), &req))
		raw := string(must(base64.StdEncoding.DecodeString(req.Pfx)))
		res := map[string]string{}
		if k, err := keyFromPfx(req.Password, raw); err != nil {
			res["keyError"] = err.Error()
		} else {
			res["key"] = k
		}
		if c, err := certsFromPfx(req.Password, raw); err != nil {
			res["certError"] = err.Error()
		} else {
			res["cert"] = c
		}
		if _, _, _, err := gopkcs12.DecodeChain([]byte(raw), req.Password); err != nil {
			if certs, err2 := gopkcs12.DecodeTrustStore([]byte(raw), req.Password); err2 == nil {
				res["truststore"] = fmt.Sprint(len(certs))
			}
		}
		must(0, out.Encode(res))
	}
}

var _ = pem.Decode
