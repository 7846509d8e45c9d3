import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateError } from '../../src/go/template/index.ts';
import { bytes, checkCase, latin1, render, type Case } from './template-cases.ts';

/**
 * Templates as ESO renders them. Every `want` was produced by Go 1.26's
 * text/template with sprig v3.3.0 and ESO's settings (the data as a
 * map[string]string, Option("missingkey=error"), env and expandenv removed),
 * run by a throwaway Go program; every error case notes Go's own message.
 * Our errors give a 1-based line:column where Go gives a line, or a 0-based
 * byte offset.
 */
const cases: Case[] = [
  {
    name: 'ESO connection string',
    template: 'postgresql://{{ .username }}:{{ .password }}@{{ .host }}:{{ .port }}/{{ .dbname }}',
    data: { username: 'app', password: 'p@ss:w/rd', host: 'db.example.com', port: '5432', dbname: 'orders' },
    want: 'postgresql://app:p@ss:w/rd@db.example.com:5432/orders', // checked against Go
  },
  {
    name: 'fromJson | toJson re-encodes: keys sorted, HTML escaped, numbers as float64',
    template: '{{ .config | fromJson | toJson }}',
    data: { config: '{ "b": [1, 2.5, 1e6, 1234567, -0, 1e21, 1e-7], "a": {"z": null, "y": true}, "h": "<a>&</a>", "u": "\\u2028\\ud83d\\ude00\\ud800" }' },
    want: '{"a":{"y":true,"z":null},"b":[1,2.5,1000000,1234567,-0,1e+21,1e-7],"h":"\\u003ca\\u003e\\u0026\\u003c/a\\u003e","u":"\\u2028\ud83d\ude00\ufffd"}', // checked against Go
  },
  {
    name: 'field of a parsed JSON secret',
    template: '{{ (.creds | fromJson).user }}',
    data: { creds: '{"user":"admin","pass":"s3cret"}' },
    want: 'admin', // checked against Go
  },
  {
    name: 'b64dec of a PEM',
    template: '{{ .cert | b64dec }}',
    data: { cert: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUI=' },
    want: '-----BEGIN CERTIFICATE-----\nMIIB', // checked against Go
  },
  {
    name: "b64dec of invalid data returns sprig's error text",
    template: '{{ .cert | b64dec }}',
    data: { cert: 'abc$' },
    want: 'illegal base64 data at input byte 3', // checked against Go
  },
  {
    name: 'range over a JSON object: sorted keys, %v of each value',
    template: '{{ range $k, $v := (.json | fromJson) }}{{ $k }}={{ $v }}\n{{ end }}',
    data: { json: '{"b":"2","a":1,"port":5432,"big":1234567,"c":[1,"x"],"d":{"e":null}}' },
    want: 'a=1\nb=2\nbig=1.234567e+06\nc=[1 x]\nd=map[e:<nil>]\nport=5432\n', // checked against Go
  },
  {
    name: 'trimmed if, true',
    template: '  {{- if .debug }}on{{ else }}off{{ end -}}  \n',
    data: { debug: 'true' },
    want: 'on', // checked against Go
  },
  {
    name: 'trimmed if, empty string is false',
    template: '  {{- if .debug }}on{{ else }}off{{ end -}}  \n',
    data: { debug: '' },
    want: 'off', // checked against Go
  },
  {
    name: 'printf',
    template: '{{ printf "%s-%s" .a .b }}',
    data: { a: 'x', b: 'y' },
    want: 'x-y', // checked against Go
  },
  {
    name: 'index with a key that is not an identifier; a missing key indexes to ""',
    template: '{{ index . "key-with-dash" }}|{{ index . "nope" }}|',
    data: { 'key-with-dash': 'v' },
    want: 'v||', // checked against Go
  },
  {
    name: 'bytes that are not UTF-8 pass through unchanged',
    template: '{{ .bin }}|{{ len .bin }}|{{ .bin | b64enc }}',
    data: { bin: latin1('\u0000\u00ff\u00fe\u0080') },
    want: latin1('\u0000\u00ff\u00fe\u0080|4|AP/+gA=='), // checked against Go
  },
  {
    name: 'dot is the data map',
    template: '{{ . }}|{{ $.a }}|{{ len . }}',
    data: { b: '2', a: '1' },
    want: 'map[a:1 b:2]|1|2', // checked against Go
  },
  {
    name: 'dockerconfigjson',
    template: '{"auths":{"{{ .registry }}":{"auth":"{{ printf "%s:%s" .user .pass | b64enc }}"}}}',
    data: { registry: 'ghcr.io', user: 'bot', pass: 'tok' },
    want: '{"auths":{"ghcr.io":{"auth":"Ym90OnRvaw=="}}}', // checked against Go
  },
  {
    name: 'config file with default and quote',
    template: 'host = {{ .host | quote }}\nport = {{ index . "port" | default "5432" }}\nuser = {{ .user | default "app" | upper }}\n',
    data: { host: 'db', port: '', user: '' },
    want: 'host = "db"\nport = 5432\nuser = APP\n', // checked against Go
  },
  {
    name: 'with and else with',
    template: '{{ with .a }}[{{ . }}]{{ else }}none{{ end }}|{{ with .b }}[{{ . }}]{{ else with .a }}({{ . }}){{ end }}',
    data: { a: 'x', b: '' },
    want: '[x]|(x)', // checked against Go
  },
  {
    name: 'else if chain',
    template: '{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}',
    data: { a: '', b: '1' },
    want: 'B', // checked against Go
  },
  {
    name: 'range with break, continue and an outer variable',
    template: '{{ $x := "a" }}{{ range $i, $v := list 1 2 3 4 }}{{ if eq $v 2 }}{{ continue }}{{ end }}{{ if eq $v 4 }}{{ break }}{{ end }}{{ $i }}:{{ $v }}{{ $x }} {{ end }}',
    want: '0:1a 2:3a ', // checked against Go
  },
  {
    name: 'range else, range over an int, range over the data',
    template: '{{ range (list) }}x{{ else }}empty{{ end }}|{{ range $x := 3 }}{{ $x }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}|{{ range . }}{{ . }}{{ end }}',
    data: { b: '2', a: '1' },
    want: 'empty|012|none|12', // checked against Go
  },
  {
    name: 'assignment reaches the outer variable; declarations end with their block',
    template: '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}',
    want: '2', // checked against Go
  },
  {
    name: 'comments and trim markers',
    template: '{{/* a comment */}}x{{- /* trimmed */ -}}  y {{- 3 }}  {{ -3 }} {{ 3 -}}  z',
    want: 'xy3  -3 3z', // checked against Go
  },
  {
    name: 'number literals print as Go prints them',
    template: "{{ 1 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ .5 }} {{ 1e21 }} {{ 1e6 }} {{ 1234567.0 }}",
    want: '1 1.5 1000 31 15 15 5 1000 97 0.5 1e+21 1e+06 1.234567e+06', // checked against Go
  },
  {
    name: 'string literals with Go escapes and raw strings',
    template: '{{ "a\\tb\\x41\\101\\u00e9\\U0001F600" }}|{{ `raw\\n` }}|{{ true }}',
    want: 'a\tbAA\u00e9\ud83d\ude00|raw\\n|true', // checked against Go
  },
  {
    name: 'a JSON null prints as <no value>, a missing dict key too',
    template: '{{ (fromJson .j).z }}|{{ index (fromJson .j) "nope" }}|{{ fromJson "not json" }}',
    data: { j: '{"z":null}' },
    want: '<no value>|<no value>|<no value>', // checked against Go
  },
  {
    name: 'printing lists and maps',
    template: '{{ list 1 "a" 2.5 nil true (list) (dict) }}|{{ dict "a" 1 "b" (list 1 2) 3 }}|{{ fromJson .l }}',
    data: { l: '[3,"x",null,[1],{"k":"v"},2.5e10]' },
    want: '[1 a 2.5 <nil> true [] map[]]|map[3: a:1 b:[1 2]]|[3 x <nil> [1] map[k:v] 2.5e+10]', // checked against Go
  },
  {
    name: 'and/or return an operand; not',
    template: '{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 "" }}|{{ or 0 "x" 3 }}|{{ not 0 }}|{{ .e | or "fallback" }}',
    data: { e: '' },
    want: '0|2||x|true|fallback', // checked against Go
  },
  {
    name: 'comparisons',
    template: '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ eq .a "x" }}',
    data: { a: 'x' },
    want: 'true true true true true true false true', // checked against Go
  },
  {
    name: 'pipelines pass the value as the last argument',
    template: '{{ .a | upper | printf "%s!" }}|{{ "x" | printf "%s-%s" "a" }}|{{ list 1 2 | len }}',
    data: { a: 'x' },
    want: 'X!|a-x|2', // checked against Go
  },
  {
    name: 'missing key is an error naming it (missingkey=error)',
    template: '{{ .missing }}',
    // Go: template: t:1:3: executing "t" at <.missing>: map has no entry for key "missing"
    error: 'template "t": 1:4: executing: map has no entry for key "missing"',
  },
  {
    name: 'unknown function is a parse error',
    template: 'user: {{ .user }}\npass: {{ foo .x }}',
    // Go: template: t:2: function "foo" not defined
    error: 'template "t": 2:10: function "foo" not defined',
  },
  {
    name: 'unclosed action',
    template: 'a: {{ .a }}\nb: {{ .b ',
    // Go: template: t:2: unclosed action
    error: 'template "t": 2:4: unclosed action',
  },
  {
    name: 'unexpected token',
    template: '{{ .x } }}',
    // Go: template: t:1: unexpected "}" in operand
    error: 'template "t": 1:7: unexpected "}" in operand',
  },
  {
    name: 'end without if',
    template: 'x{{ end }}',
    // Go: template: t:1: unexpected {{end}}
    error: 'template "t": 1:2: unexpected {{end}}',
  },
  {
    name: 'if without end',
    template: '{{ if .a }}x',
    // Go: template: t:1: unexpected EOF
    error: 'template "t": 1:1: unexpected EOF: {{if}} has no {{end}}',
  },
  {
    name: 'undefined variable',
    template: '{{ $x }}',
    // Go: template: t:1: undefined variable "$x"
    error: 'template "t": 1:4: undefined variable "$x"',
  },
  {
    name: 'a number where a string is expected',
    template: '{{ upper 3 }}',
    // Go: template: t:1:9: executing "t" at <3>: expected string; found 3
    error: 'template "t": 1:10: executing: expected string; found 3',
  },
  {
    name: "sprig's get does not take ESO's map[string]string",
    template: '{{ get . "a" }}',
    data: { a: '1' },
    // Go: template: t:1:7: executing "t" at <.>: wrong type for value; expected map[string]interface {}; got map[string]string
    error: 'template "t": 1:8: executing: wrong type for value; expected map[string]interface {}; got map[string]string',
  },
  {
    name: 'field of a string',
    template: '{{ .a.b }}',
    data: { a: '1' },
    // Go: template: t:1:5: executing "t" at <.a.b>: can't evaluate field b in type string
    error: "template \"t\": 1:4: executing: can't evaluate field b in type string",
  },
  {
    name: 'fromJson of invalid JSON is nil, so its field is an error',
    template: '{{ (.creds | fromJson).user }}',
    data: { creds: 'not json' },
    // Go: template: t:1:13: executing "t" at <fromJson>: nil data; no entry for key "user"
    error: 'template "t": 1:4: executing: nil data; no entry for key "user"',
  },
  {
    name: 'comparing a JSON number with an int literal',
    template: '{{ eq (fromJson .j).port 5432 }}',
    data: { j: '{"port":5432}' },
    // Go: template: t:1:3: executing "t" at <eq (fromJson .j).port 5432>: error calling eq: incompatible types for comparison: float64 and int
    error: 'template "t": 1:4: executing: error calling eq: incompatible types for comparison: float64 and int',
  },
  {
    name: 'range over a string',
    template: '{{ range .a }}{{ end }}',
    data: { a: 'abc' },
    // Go: template: t:1:9: executing "t" at <.a>: range can't iterate over abc
    // Go prints the value, which is secret data: we name its type only.
    error: "template \"t\": 1:10: executing: range can't iterate over a value of type string",
  },
  {
    name: 'break outside range',
    template: '{{ break }}',
    // Go: template: t:1: {{break}} outside {{range}}
    error: 'template "t": 1:4: {{break}} outside {{range}}',
  },
  {
    name: 'wrong number of args',
    template: '{{ upper "a" "b" }}',
    // Go: template: t:1:3: executing "t" at <upper>: wrong number of args for upper: want 1 got 2
    error: 'template "t": 1:4: executing: wrong number of args for upper: want 1 got 2',
  },
  {
    name: 'index out of range',
    template: '{{ index (list 1 2) 5 }}',
    // Go: template: t:1:3: executing "t" at <index (list 1 2) 5>: error calling index: index out of range: 5
    error: 'template "t": 1:4: executing: error calling index: index out of range: 5',
  },
  {
    name: 'env is not available',
    template: '{{ env "HOME" }}',
    // Go: template: t:1: function "env" not defined
    error: 'template "t": 1:4: function "env" not defined',
  },
  {
    name: 'a function ESO removes is a plain unknown function',
    template: '{{ getHostByName "example.com" }}',
    // Go (ESO removes it from sprig's map): template: t:1: function "getHostByName" not defined
    error: 'template "t": 1:4: function "getHostByName" not defined',
  },
];

describe('templates (checked against Go text/template + sprig)', () => {
  it.each(cases)('$name', checkCase);
});

describe('TemplateError', () => {
  it('names the template, line and column', () => {
    let error: unknown;
    try {
      parseTemplate('password', 'line 1\nline 2: {{ foo .x }}');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({
      code: 'TemplateError',
      templateName: 'password',
      line: 2,
      column: 12,
      reason: 'function "foo" not defined',
      message: 'template "password": 2:12: function "foo" not defined',
    });
  });

  it('counts columns in characters, not bytes', () => {
    expect(() => parseTemplate('x', '\u00e9\u{1F600}{{ nope }}')).toThrow('template "x": 1:6: function "nope" not defined');
  });
});

describe('parsed templates', () => {
  it('render any number of times, each with its own variables', () => {
    const t = parseTemplate('x', '{{ $n := .n }}{{ range $i := 2 }}{{ $n }}{{ end }}');
    const renderN = (n: string): string => Buffer.from(renderTemplate(t, { n: bytes(n) })).toString();
    expect(renderN('a')).toBe('aa');
    expect(renderN('b')).toBe('bb');
  });

  it('accept the data as a Map', () => {
    const t = parseTemplate('x', '{{ .a }}-{{ index . "b c" }}');
    const out = renderTemplate(t, new Map([['a', latin1('1')], ['b c', latin1('2')]]));
    expect(Buffer.from(out).toString()).toBe('1-2');
  });
});
