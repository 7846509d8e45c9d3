package main

import (
	"encoding/json"
	"os"
	"strings"

	esv1 "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
)

// langCase is one rendering of ESO's engine: each entry of templates is one template key, parsed on
// its own as ESO does (a define in one key is not seen by another), over the data values.
type langCase struct {
	Name      string            `json:"name"`
	Scope     string            `json:"scope"`
	Templates map[string]string `json:"templates"`
	Data      map[string]string `json:"data"`
	// Want is the Secret's data ESO makes; Error is the error ESO's Execute returns, in full.
	Want  map[string]string `json:"want,omitempty"`
	Error *string           `json:"error,omitempty"`
}

type langVectors struct {
	Note  string     `json:"note"`
	Cases []langCase `json:"cases"`
}

// lang prints vectors of toYaml/fromYaml and define/template/block as ESO's engine renders them.
// Only cases whose output is the same on every run: Go's templates print maps in key order, and a
// case with several keys fails in at most one of them.
func lang() {
	v := langVectors{Note: "Made by tools/template-vectors/eso (go run . lang > test/data/template-lang/eso-vectors.json) with ESO's own template engine: " +
		versions() + ". ESO's pkg/template/v2 Execute, target Data, scope as given; each key of templates is parsed on its own, with missingkey=error and ESO's function map " +
		"(its helpers, toYaml/fromYaml, and sprig less env/expandenv). ESO 2.x's runtime/template/v2 executes templates the same way and its toYaml/fromYaml are the same code " +
		"(it requires sigs.k8s.io/yaml v1.6.0, as this build does; built with v0.16.2's own sigs.k8s.io/yaml v1.4.0, -modfile=released.mod, the tool writes the same cases). " +
		"The sprig functions used (dict, list, rest) are in the copy of sprig later ESO releases carry. data and want are plain strings (the Secret's data, decoded); error is Execute's full error text, " +
		"whose 'unable to execute template at key K: ' wrappers ESO adds around Go's text/template error."}
	add := func(name string, templates map[string]string, data map[string]string) {
		addScoped(&v, esv1.TemplateScopeValues, name, templates, data)
	}
	one := func(tpl string) map[string]string { return map[string]string{"out": tpl} }
	none := map[string]string{}

	// toYaml
	add("toYaml of a map read by fromYaml sorts its keys", one(`{{ .doc | fromYaml | toYaml }}`),
		map[string]string{"doc": "b: 2\na:\n  - x\n  - 1\n  - true\n  - null\nc:\n  d: e\n  list:\n    - k: v\n      k2: v2\n"})
	add("toYaml of a plain string", one(`{{ toYaml .s }}`), map[string]string{"s": "hello world"})
	add("toYaml quotes strings YAML would read as something else", map[string]string{
		"yes": `{{ toYaml "yes" }}`, "on": `{{ toYaml "on" }}`, "true": `{{ toYaml "true" }}`, "int": `{{ toYaml "123" }}`,
		"float": `{{ toYaml "1.0" }}`, "exp": `{{ toYaml "1e3" }}`, "null": `{{ toYaml "null" }}`, "tilde": `{{ toYaml "~" }}`,
		"empty": `{{ toYaml "" }}`, "colon": `{{ toYaml "a: b" }}`, "dash": `{{ toYaml "- x" }}`, "hash": `{{ toYaml "#c" }}`,
		"lead-space": `{{ toYaml " lead" }}`, "trail-space": `{{ toYaml "trail " }}`, "star": `{{ toYaml "*x" }}`,
		"brace": `{{ toYaml "{a}" }}`, "quote": `{{ toYaml "'q'" }}`, "dquote": `{{ toYaml "say \"hi\"" }}`,
		"at": `{{ toYaml "@x" }}`, "percent": `{{ toYaml "%x" }}`, "hex": `{{ toYaml "0x1F" }}`, "octal": `{{ toYaml "017" }}`,
		"date": `{{ toYaml "2001-12-14" }}`, "y": `{{ toYaml "y" }}`, "n": `{{ toYaml "N" }}`,
	}, none)
	add("toYaml of strings with newlines, tabs and non-ASCII", one(`{{ toYaml .a }}|{{ toYaml .b }}|{{ toYaml .c }}|{{ toYaml .d }}|{{ toYaml .e }}`),
		map[string]string{"a": "line1\nline2", "b": "line1\nline2\n", "c": "tab\there", "d": "é ü 日本 🙂", "e": "back\\slash"})
	add("toYaml of a long string", one(`{{ toYaml .s }}`),
		map[string]string{"s": strings.Repeat("word ", 30) + "end"})
	add("toYaml of sprig's dict and list", map[string]string{
		"dict":       `{{ dict "b" 1 "a" "x" "c" (list 1 "two" 3.5 true) | toYaml }}`,
		"list":       `{{ list "a" (dict "k" "v") (list 1 2) | toYaml }}`,
		"empty-dict": `{{ dict | toYaml }}`, "empty-list": `{{ list | toYaml }}`,
	}, none)
	add("toYaml of numbers, booleans and nil", map[string]string{
		"int": `{{ toYaml 3 }}`, "float": `{{ toYaml 1.5 }}`, "whole-float": `{{ toYaml 2.0 }}`, "bool": `{{ toYaml true }}`,
		"nil": `{{ toYaml nil }}`, "big": `{{ toYaml (fromYaml "v: 12345678901234567890").v }}`,
		"exp": `{{ toYaml (fromYaml "v: 1e3").v }}`, "small": `{{ toYaml (fromYaml "v: 0.000001").v }}`,
	}, none)
	add("toYaml of keys YAML would read as other types", one(`{{ .doc | fromYaml | toYaml }}`),
		map[string]string{"doc": "\"1\": a\n\"true\": b\n\"a b\": c\n\"\": d\n\"x:y\": e\n"})
	add("toYaml of a data value that looks like YAML", one(`{{ toYaml .cfg }}`), map[string]string{"cfg": "a: 1\nb: 2"})

	// fromYaml
	add("fromYaml fields", one(`{{ (fromYaml .doc).user }}:{{ (fromYaml .doc).pass }}@{{ (fromYaml .doc).db.host }}`),
		map[string]string{"doc": "user: admin\npass: s3cret\ndb:\n  host: db.local\n"})
	add("fromYaml printed as a Go map", one(`{{ fromYaml .doc }}`),
		map[string]string{"doc": "s: text\ni: 1\nf: 1.5\nb: true\nz: null\nl: [a, 2]\nm: {k: v}\n"})
	add("fromYaml reads YAML 1.1 booleans", one(`{{ fromYaml .doc }}`),
		map[string]string{"doc": "a: yes\nb: on\nc: off\nd: y\ne: No\nf: TRUE\ng: True\n"})
	add("fromYaml reads the keys y, n, yes, off as booleans", one(`{{ fromYaml .doc }}`),
		map[string]string{"doc": "y: 1\nn: 2\nyes: 3\noff: 4\nx: 5\n"})
	add("fromYaml numbers", map[string]string{
		"int": `{{ (fromYaml "v: 1").v }}`, "float": `{{ (fromYaml "v: 1.50").v }}`,
		"big": `{{ (fromYaml "v: 12345678901234567890").v }}`, "exp": `{{ (fromYaml "v: 1e3").v }}`,
		"hex": `{{ (fromYaml "v: 0x1F").v }}`, "octal": `{{ (fromYaml "v: 017").v }}`, "octal-0o": `{{ (fromYaml "v: 0o17").v }}`,
		"underscore": `{{ (fromYaml "v: 1_000").v }}`, "negative": `{{ (fromYaml "v: -0.5").v }}`,
		"max-int": `{{ (fromYaml "v: 9007199254740993").v }}`,
	}, none)
	add("fromYaml of infinity and NaN", map[string]string{"inf": `{{ fromYaml "v: .inf" }}`, "nan": `{{ fromYaml "v: .nan" }}`}, none)
	add("fromYaml of invalid YAML sets Error", one(`{{ (fromYaml .doc).Error }}`), map[string]string{"doc": "a: [1, 2"})
	add("fromYaml of a list sets Error", one(`{{ (fromYaml .doc).Error }}`), map[string]string{"doc": "- a\n- b\n"})
	add("fromYaml of a scalar sets Error", one(`{{ (fromYaml .doc).Error }}`), map[string]string{"doc": "just text"})
	add("fromYaml of bad indentation sets Error", one(`{{ fromYaml .doc }}`), map[string]string{"doc": "a:\n  b: 1\n c: 2\n"})
	add("fromYaml of an empty document", map[string]string{"empty": `{{ fromYaml "" }}|{{ len (fromYaml "") }}`,
		"comment": `{{ fromYaml "# only a comment" }}`, "null": `{{ fromYaml "null" }}`, "tilde": `{{ fromYaml "~" }}`}, none)
	add("fromYaml with duplicate keys", one(`{{ fromYaml .doc }}`), map[string]string{"doc": "a: 1\na: 2\n"})
	add("fromYaml with anchors, aliases and merge keys", one(`{{ fromYaml .doc }}`),
		map[string]string{"doc": "base: &b {x: 1, y: 1}\nderived:\n  <<: *b\n  y: 2\nalias: *b\n"})
	add("fromYaml of several documents", one(`{{ fromYaml .doc }}`), map[string]string{"doc": "a: 1\n---\nb: 2\n"})
	add("fromYaml of a missing field under missingkey=error", one(`{{ (fromYaml .doc).nope }}`), map[string]string{"doc": "a: 1"})
	add("fromYaml of keys that are not strings", one(`{{ fromYaml .doc }}`), map[string]string{"doc": "1: a\ntrue: b\n1.5: c\n"})
	add("fromYaml of a null key", one(`{{ fromYaml .doc }}`), map[string]string{"doc": "~: c\n"})
	add("fromYaml of a timestamp and a binary", one(`{{ fromYaml .doc }}`),
		map[string]string{"doc": "t: 2001-12-14t21:59:43.10-05:00\nd: 2002-12-14\nbin: !!binary aGVsbG8=\n"})
	add("fromYaml of JSON", one(`{{ (fromYaml .doc).a }}`), map[string]string{"doc": `{"a": [1, {"b": null}], "c": "d"}`})
	add("fromYaml ranged in key order", one(`{{ range $k, $v := fromYaml .doc }}{{ $k }}={{ $v }};{{ end }}`),
		map[string]string{"doc": "zeta: 1\nalpha: two\nMid: [3]\n"})
	add("fromYaml then toYaml of invalid YAML", one(`{{ .doc | fromYaml | toYaml }}`), map[string]string{"doc": "a: [1, 2"})
	add("fromYaml of a string value keeps it verbatim", one(`{{ (fromYaml .doc).s }}`),
		map[string]string{"doc": "s: |\n  line1\n  line2\n"})
	add("toYaml of a fromYaml document with a block string", one(`{{ .doc | fromYaml | toYaml }}`),
		map[string]string{"doc": "s: |\n  line1\n  line2\nk: v\n"})

	// define, template, block
	add("define and template in one key", one(`{{ define "greet" }}Hello {{ . }}{{ end }}{{ template "greet" .name }}`),
		map[string]string{"name": "world"})
	add("template without a pipeline passes nil", one(`{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" }}`), none)
	add("define alone renders nothing", one(`{{ define "x" }}X{{ end }}`), none)
	add("define between text", one(`a{{ define "x" }}X{{ end }}b{{ template "x" }}c`), none)
	add("define sees the dot it is passed", one(`{{ define "creds" }}{{ .user }}:{{ .pass }}{{ end }}{{ template "creds" . }}`),
		map[string]string{"user": "admin", "pass": "s3cret"})
	add("define's $ is its own argument", one(`{{ define "x" }}{{ $ }}{{ end }}{{ template "x" "arg" }}`), none)
	add("block renders its body in place", one(`{{ block "b" .name }}Hi {{ . }}{{ end }}!`), map[string]string{"name": "you"})
	add("block and a define of the same name in one key", one(`{{ block "b" . }}default{{ end }}{{ define "b" }}override{{ end }}`), none)
	add("define again with an empty body keeps the first", one(`{{ define "x" }}one{{ end }}{{ define "x" }}{{ end }}{{ template "x" }}`), none)
	add("define twice with bodies", one(`{{ define "x" }}one{{ end }}{{ define "x" }}two{{ end }}{{ template "x" }}`), none)
	add("a define in one key is not seen by another key", map[string]string{
		"a": `{{ define "shared" }}S{{ end }}A`, "b": `{{ template "shared" }}`}, none)
	add("template of an undefined name", one(`{{ template "nope" }}`), none)
	add("a define named after its key", map[string]string{"greet": `{{ define "greet" }}X{{ end }}Y`}, none)
	add("a key's template calls itself by the key's name", map[string]string{"loop": `{{ template "loop" }}`}, none)
	add("recursion through a define", one(`{{ define "count" }}{{ if . }}{{ len . }}{{ template "count" (rest .) }}{{ end }}{{ end }}{{ template "count" (list 1 2 3) }}`), none)
	add("define inside define", one(`{{ define "a" }}{{ define "b" }}{{ end }}{{ end }}`), none)
	add("define with a name that is not a string", one(`{{ define x }}{{ end }}`), none)
	add("template with a name that is not a constant", one(`{{ template .name }}`), map[string]string{"name": "x"})
	add("define without end", one(`{{ define "x" }}X`), none)
	add("trim markers around define and template", one("{{- define \"x\" -}}\n  X\n{{- end -}}\n{{ template \"x\" }}\n"), none)
	add("toYaml inside a define", one(`{{ define "cfg" }}{{ toYaml . }}{{ end }}{{ template "cfg" (fromYaml .doc) }}`),
		map[string]string{"doc": "b: [1, 2]\na: x\n"})
	add("block whose body fails", one(`{{ block "b" . }}{{ .missing }}{{ end }}`), none)

	// KeysAndValues: the template's output is YAML whose keys and values become the Secret's.
	addScoped(&v, esv1.TemplateScopeKeysAndValues, "KeysAndValues with a define", map[string]string{
		"t": `{{ define "v" }}{{ .user }}-x{{ end }}user: {{ template "v" . }}`}, map[string]string{"user": "admin"})
	addScoped(&v, esv1.TemplateScopeKeysAndValues, "KeysAndValues from toYaml", map[string]string{
		"t": `{{ .doc | fromYaml | toYaml }}`}, map[string]string{"doc": "user: admin\nport: \"5432\"\n"})
	addScoped(&v, esv1.TemplateScopeKeysAndValues, "KeysAndValues whose YAML has a non-string value", map[string]string{
		"t": `{{ .doc | fromYaml | toYaml }}`}, map[string]string{"doc": "user: admin\nport: 5432\nnested: {a: b}\n"})

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(0, enc.Encode(v))
}

func addScoped(v *langVectors, scope esv1.TemplateScope, name string, templates, data map[string]string) {
	c := langCase{Name: name, Scope: string(scope), Templates: templates, Data: data}
	out, err := renderScoped(templates, data, scope)
	if err != nil {
		e := err.Error()
		c.Error = &e
	} else {
		c.Want = out
	}
	v.Cases = append(v.Cases, c)
}
