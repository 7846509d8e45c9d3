package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// The shape of test/data/template-certs/vectors.json, as ../main.go writes it, with the record of
// this cross-check added: decoding and encoding again leaves the rest of the file byte for byte.
type vectorCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	Data     map[string]string `json:"data"`
	Want     *string           `json:"want,omitempty"`
	Error    *string           `json:"error,omitempty"`
}

type vectors struct {
	Note string `json:"note"`
	// CrossChecks holds one record per build of this tool, keyed by the versions it was built with.
	CrossChecks map[string]*crossCheck `json:"crossChecks,omitempty"`
	Inputs      map[string]string      `json:"inputs"`
	Cases       []vectorCase           `json:"cases"`
}

type crossCheck struct {
	How     string    `json:"how"`
	Equal   int       `json:"equal"`
	Absent  []absent  `json:"absentFromThisESO"`
	Differs []finding `json:"differs"`
}

type absent struct {
	Name      string   `json:"name"`
	Functions []string `json:"functions"`
}

// finding is a case where ESO's real code and the restatement disagree; ESO's side is base64 like
// the vectors' own want, or its error text.
type finding struct {
	Name     string  `json:"name"`
	ESOWant  *string `json:"esoWant,omitempty"`
	ESOError *string `json:"esoError,omitempty"`
	Why      string  `json:"why"`
	// Verdict says which side is ESO 2.9's behaviour, for the differences understood.
	Verdict string `json:"verdict,omitempty"`
}

// verdicts explains the differences found so far, matched on ESO's error text or the case name.
var verdicts = []struct{ esoError, caseName, text string }{
	{caseName: "filterPEM BEGIN mid-line", text: "Not a change of ESO's helper but of Go: since Go 1.25.3 (golang/go#75950, #76124) encoding/pem.Decode " +
		"no longer finds a BEGIN line that does not start a line, so v0.16.2's filterPEM, built with this Go, reports junk " +
		"(as released, built with Go 1.24, it found the block). ESO 2.x cuts its input at the first \"-----BEGIN\" before decoding " +
		"(trimJunk in runtime/template/v2/pem.go) to keep the old result: the vector (the block is found) is ESO 2.9's behaviour."},
	{esoError: "MAC digest algorithm not supported: 1.2.840.113549.1.5.14", text: "Not a change of ESO's helper but of go-pkcs12: " +
		"v0.5.0, which ESO v0.16.2 was released with, cannot check a PBMAC1 MAC (RFC 9579, which go-pkcs12's Modern2026 encoder writes); " +
		"ESO 2.x's runtime module requires go-pkcs12 v0.7, which reads it, and with it ESO's own code gives the vector's result: the vector is ESO 2.9's behaviour."},
}

func verdictFor(name string, eso outcome) string {
	for _, v := range verdicts {
		if v.caseName == name || (v.esoError != "" && eso.err != nil && strings.Contains(*eso.err, v.esoError)) {
			return v.text
		}
	}
	return ""
}

// outcome is what one engine made of a case: an output or an error text.
type outcome struct {
	out *string
	err *string
}

func (o outcome) String() string {
	if o.err != nil {
		return "error " + *o.err
	}
	return fmt.Sprintf("%q", *o.out)
}

func esoOutcome(tpl string, data map[string]string) outcome {
	out, err := render(map[string]string{"t": tpl}, data)
	if err != nil {
		e := innerError(err)
		return outcome{err: &e}
	}
	s := out["t"]
	return outcome{out: &s}
}

// readBack is what ESO's own pkcs12keyPass and pkcs12certPass make of an encoder's base64 output.
func readBack(b64, pass string) string {
	data := map[string]string{"p": b64}
	key := esoOutcome(`{{ .p | b64dec | pkcs12keyPass "`+pass+`" }}`, data)
	cert := esoOutcome(`{{ .p | b64dec | pkcs12certPass "`+pass+`" }}`, data)
	return "key: " + key.String() + "\ncert: " + cert.String()
}

func password(tpl string) string {
	if strings.Contains(tpl, `"s3cret"`) {
		return "s3cret"
	}
	return ""
}

func check(path string, write bool) {
	raw := must(os.ReadFile(path))
	var v vectors
	must(0, json.Unmarshal(raw, &v))
	cc := &crossCheck{How: "ESO's own template engine run on every case by tools/template-vectors/eso (go run . check): " +
		"outputs compared byte for byte, PKCS#12 encoder outputs by what ESO's pkcs12keyPass/pkcs12certPass read back from them, errors by Go's text/template error text under ESO's 'unable to ... template at key' wrappers.",
		Absent: []absent{}, Differs: []finding{}}
	for _, c := range v.Cases {
		data := map[string]string{}
		for k, b := range c.Data {
			data[k] = string(must(base64.StdEncoding.DecodeString(b)))
		}
		if missing := missingFunctions(c.Template); len(missing) > 0 {
			cc.Absent = append(cc.Absent, absent{Name: c.Name, Functions: missing})
			continue
		}
		eso := esoOutcome(c.Template, data)
		var want outcome
		if c.Want != nil {
			s := string(must(base64.StdEncoding.DecodeString(*c.Want)))
			want.out = &s
		} else {
			want.err = c.Error
		}
		same, why := compare(c, eso, want)
		if same {
			cc.Equal++
			continue
		}
		f := finding{Name: c.Name, Why: why, Verdict: verdictFor(c.Name, eso)}
		if eso.err != nil {
			f.ESOError = eso.err
		} else {
			b := base64.StdEncoding.EncodeToString([]byte(*eso.out))
			f.ESOWant = &b
		}
		cc.Differs = append(cc.Differs, f)
		fmt.Fprintf(os.Stderr, "DIFFERS %s\n  eso:    %.300s\n  vector: %.300s\n", c.Name, eso, want)
	}
	fmt.Fprintf(os.Stderr, "%d equal, %d differ, %d call functions this ESO lacks\n", cc.Equal, len(cc.Differs), len(cc.Absent))
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(0, enc.Encode(cc))
	if write {
		if v.CrossChecks == nil {
			v.CrossChecks = map[string]*crossCheck{}
		}
		v.CrossChecks[versions()] = cc
		if !strings.Contains(v.Note, crossCheckNote) {
			v.Note += " " + crossCheckNote
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", " ")
		must(0, enc.Encode(v))
		must(0, os.WriteFile(path, buf.Bytes(), 0o644))
	}
}

const crossCheckNote = "Cross-checked against ESO's own template engine (v0.16.2's pkg/template/v2, the newest ESO the Go module proxy serves whole) " +
	"by tools/template-vectors/eso: crossChecks records, per build, the cases equal, those calling helpers v0.16.2 lacks, and each difference with which side is ESO 2.9's. " +
	"After regenerating the vectors, run it again (go run . check -write, and with -modfile=released.mod)."

// compare tells whether ESO's outcome is the vector's; why says how they differ when not.
func compare(c vectorCase, eso, want outcome) (bool, string) {
	switch {
	case eso.err != nil && want.err != nil:
		return *eso.err == *want.err, "both fail, with different error texts"
	case eso.err != nil:
		return false, "ESO fails where the restatement renders"
	case want.err != nil:
		return false, "ESO renders where the restatement fails"
	case encoder.MatchString(c.Template):
		pass := password(c.Template)
		return readBack(*eso.out, pass) == readBack(*want.out, pass), "the archives read back differently"
	default:
		return *eso.out == *want.out, "different outputs"
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
