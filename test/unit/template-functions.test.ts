import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateError } from '../../src/go/template/index.ts';
import { bytes, checkCase, latin1, render, type Case } from './template-cases.ts';

/**
 * The functions, one or a few per case. Every `want` was produced by Go 1.26's
 * text/template with sprig v3.3.0 and ESO's settings, run by a throwaway Go
 * program; every error case notes Go's own message. Go's map order is random,
 * so `keys` is only tested with one key.
 */
const cases: Case[] = [
  {
    name: 'upper, lower, title, trim (Unicode aware)',
    template: '{{ upper .a }}|{{ lower .a }}|{{ title .b }}|[{{ trim .c }}]',
    data: { a: 'HeLLo \u00c4\u00d6\u00fc \u00df', b: 'hello wOrld-foo_bar \u00e9lan \u01c6x', c: ' \t x y \n\u00a0' },
    want: 'HELLO \u00c4\u00d6\u00dc \u00df|hello \u00e4\u00f6\u00fc \u00df|Hello WOrld-Foo_bar \u00c9lan \u01c5x|[x y]', // checked against Go
  },
  {
    name: "case mapping of bytes that are not UTF-8 writes U+FFFD, as Go's strings.Map",
    template: '{{ upper .a }}|{{ title .a }}|{{ quote .a }}|{{ toJson .a }}|{{ printf "%q %x" .a .a }}',
    data: { a: latin1('a\u00ffb') },
    want: latin1('A\u00ef\u00bf\u00bdB|A\u00ef\u00bf\u00bdb|"a\\xffb"|"a\\ufffdb"|"a\\xffb" 61ff62'), // checked against Go
  },
  {
    name: 'trimPrefix, trimSuffix, trimAll, replace (sprig argument order)',
    template: '{{ trimPrefix "ab" .a }}|{{ trimSuffix "yz" .a }}|{{ trimAll "az" .a }}|{{ replace "b" "BB" .a }}|{{ replace "" "-" "a\u00e9" }}|{{ replace "x" "$&" .a }}',
    data: { a: 'abcxyz' },
    want: 'cxyz|abcx|bcxy|aBBcxyz|-a-\u00e9-|abc$&yz', // checked against Go
  },
  {
    name: 'default treats empty values as missing',
    template: '{{ default "x" .e }}|{{ default "x" .f }}|{{ .e | default "d" }}|{{ default "x" }}|{{ default 5 0 }}|{{ default 5 false }}|{{ default (list 1) (list) }}|{{ default "d" (fromJson "null") }}',
    data: { e: '', f: 'val' },
    want: 'x|val|d|x|5|5|[1]|d', // checked against Go
  },
  {
    name: 'empty, coalesce, ternary',
    template: '{{ empty "" }} {{ empty 0 }} {{ empty 0.0 }} {{ empty (list) }} {{ empty (dict) }} {{ empty nil }} {{ empty false }} {{ empty "x" }}|{{ coalesce "" 0 nil "x" "y" }}|{{ coalesce "" nil }}|{{ ternary "a" "b" true }}|{{ ternary "a" "b" (eq 1 2) }}',
    want: 'true true true true true true true false|x|<no value>|a|b', // checked against Go
  },
  {
    name: 'quote and squote',
    template: '{{ quote .a 1 nil 2.5 }}|{{ squote .a true }}|{{ quote "\\x00\\t\\u00a0\u00e9\\U0001F600\\x7f" }}',
    data: { a: 'he"llo' },
    want: "\"he\\\"llo\" \"1\" \"2.5\"|'he\"llo' 'true'|\"\\x00\\t\\u00a0\u00e9\ud83d\ude00\\x7f\"", // checked against Go
  },
  {
    name: 'join, split (a map of _0, _1, ...) and splitList',
    template: '{{ join "," (list 1 "a" nil 2.5 true) }}|{{ join "-" (splitList "," .s) }}|{{ join "," .s }}|{{ split "," .s }}|{{ (split "," .s)._1 }}|{{ splitList "" "a\u00e9" }}|{{ len (splitList "" "") }}',
    data: { s: 'a,b,,c' },
    want: '1,a,2.5,true|a-b--c|a,b,,c|map[_0:a _1:b _2: _3:c]|b|[a \u00e9]|0', // checked against Go
  },
  {
    name: 'hasPrefix, hasSuffix, contains (substring first)',
    template: '{{ hasPrefix "ab" .s }} {{ hasSuffix "c" .s }} {{ contains "b," .s }} {{ contains "zz" .s }}',
    data: { s: 'ab,c' },
    want: 'true true true false', // checked against Go
  },
  {
    name: 'list, dict, get, hasKey, one-key keys',
    template: '{{ toJson (dict "a" 1 "b" (list 1 2) 3) }}|{{ get (dict "a" 1) "a" }}|{{ get (dict "a" 1) "b" }}|{{ hasKey (dict "a" nil) "a" }}|{{ get (dict "a" nil) "a" }}|{{ keys (fromJson .j) }}',
    data: { j: '{"only":1}' },
    want: '{"3":"","a":1,"b":[1,2]}|1||true|<no value>|[only]', // checked against Go
  },
  {
    name: 'indent, nindent, repeat',
    template: '{{ indent 4 .s }}|{{ nindent 2 .s }}|{{ repeat 3 "ab" }}|{{ repeat 0 "x" }}',
    data: { s: 'a\nb\n' },
    want: '    a\n    b\n    |\n  a\n  b\n  |ababab|', // checked against Go
  },
  {
    name: 'hashes and base64 of bytes',
    template: '{{ sha256sum .s }} {{ sha1sum .s }} {{ b64enc .s }}',
    data: { s: latin1('hello\u0000\u00ff') },
    want: latin1('55dfc00c01f3ea84a2f1472b04669ad3ed588c04bad216e855f24fbe6a84822c 679dfd43f836b711bb9fea9db2edd199f881897c aGVsbG8A/w=='), // checked against Go
  },
  {
    name: "b64dec follows Go's decoder: padding, newlines, error offsets",
    template: '{{ b64dec "YWJj" }}|{{ b64dec "YWI=" }}|{{ b64dec "YQ=" }}|{{ b64dec "YQ" }}|{{ b64dec "YWJj\\r\\nZGVm" }}|{{ b64dec "YQ==YQ==" }}|{{ b64dec "YR==" }}|{{ b64dec "====" }}|{{ b64dec "YQ=\\n=" }}|{{ b64dec "YWJjZA=x" }}|{{ b64dec "YW_j" }}',
    want: 'abc|ab|illegal base64 data at input byte 3|illegal base64 data at input byte 0|abcdef|illegal base64 data at input byte 4|a|illegal base64 data at input byte 0|a|illegal base64 data at input byte 6|illegal base64 data at input byte 2', // checked against Go
  },
  {
    name: 'fromJson: invalid JSON, trailing data, big numbers',
    template: '{{ fromJson "[1,2" }}|{{ fromJson "" }}|{{ fromJson "{\\"a\\":1} x" }}|{{ fromJson "  [1, true, null, \\"x\\"]  " }}|{{ fromJson "{\\"a\\":1e400,\\"b\\":2}" }}|{{ fromJson "12345678901234567890" }}',
    want: '<no value>|<no value>|<no value>|[1 true <nil> x]|map[a:<nil> b:2]|1.2345678901234567e+19', // checked against Go
  },
  {
    name: 'toPrettyJson and toRawJson',
    template: '{{ toPrettyJson (fromJson .j) }}|{{ toRawJson (fromJson .j) }}|{{ toJson .j }}',
    data: { j: '{"a":[1,{"b":"<>"}],"c":{},"d":[]}' },
    want: '{\n  "a": [\n    1,\n    {\n      "b": "\\u003c\\u003e"\n    }\n  ],\n  "c": {},\n  "d": []\n}|{"a":[1,{"b":"<>"}],"c":{},"d":[]}|"{\\"a\\":[1,{\\"b\\":\\"\\u003c\\u003e\\"}],\\"c\\":{},\\"d\\":[]}"', // checked against Go
  },
  {
    name: 'nested JSON fields and ranges over JSON lists',
    template: '{{ (fromJson .j).a.b.c }}|{{ range (fromJson .l).items }}{{ .name }}={{ .value }};{{ end }}',
    data: { j: '{"a":{"b":{"c":"deep"}}}', l: '{"items":[{"name":"a","value":1},{"name":"b","value":"x"}]}' },
    want: 'deep|a=1;b=x;', // checked against Go
  },
  {
    name: 'toString',
    template: '{{ toString 1 }}|{{ toString 1.5 }}|{{ toString nil }}|{{ toString (list 1 "a") }}|{{ toString true }}|{{ toString (fromJson "1e100") }}',
    want: '1|1.5|<nil>|[1 a]|true|1e+100', // checked against Go
  },
  {
    name: 'printf verbs and flags',
    template: '{{ printf "%5s|%-5s|%.2s|%05s|%x|% x|%X|%q" "ab" "ab" "h\u00e9llo" "ab" "hi" "hi" "h\u00e9" "\\x80" }}',
    want: '   ab|ab   |h\u00e9|000ab|6869|68 69|68C3A9|"\\x80"', // checked against Go
  },
  {
    name: 'printf numbers',
    template: '{{ printf "%+d|% d|%+.2f|%08.3f|%-8.2f|%e|%E|%.3g|%10.4v|%T" 5 5 3.14159 -3.14159 2.5 123456.789 0.000123 123456.0 3.14159 1 }}',
    want: '+5| 5|+3.14|-003.142|2.50    |1.234568e+05|1.230000E-04|1.23e+05|     3.142|int', // checked against Go
  },
  {
    name: 'printf integer bases and runes',
    template: '{{ printf "%b|%o|%O|%#x|%#o|%x|%X|%c|%q|%U|%08b" 5 8 8 255 8 -255 255 233 233 128512 5 }}',
    want: "101|10|0o10|0xff|010|-ff|FF|\u00e9|'\u00e9'|U+1F600|00000101", // checked against Go
  },
  {
    name: 'printf rounds half to even, as Go',
    template: '{{ printf "%.0f %.2f %.1f %.0f %.3e %.1f %.0f" 2.5 0.125 0.25 0.5 1.0625 0.35 1.5 }}',
    want: '2 0.12 0.2 0 1.062e+00 0.3 2', // checked against Go
  },
  {
    name: 'printf argument indexes and * widths',
    template: '{{ printf "%[2]s %[1]s|%*d|%-*d|%.*f" "a" "b" 5 42 4 7 2 3.14159 }}',
    want: 'b a|%!(BADWIDTH)5|4                                         |%!f(int=0000002)', // checked against Go
  },
  {
    name: "printf errors are written into the output, as Go's fmt does",
    template: '{{ printf "%d|%s|%t|%z|%!" 1.5 1 1 2 }}|{{ printf "%s" }}|{{ printf "x" 1 "a" nil }}|{{ printf "%d" (fromJson "5432") }}',
    want: '%!d(float64=1.5)|%!s(int=1)|%!t(int=1)|%!z(int=2)|%!!(MISSING)|%!s(MISSING)|x%!(EXTRA int=1, string=a, <nil>)|%!d(float64=5432)', // checked against Go
  },
  {
    name: 'printf of lists and maps applies the verb to each element',
    template: '{{ printf "%v %v %s" (list 1 2) (dict "a" (list nil)) (dict "k" "v") }}|{{ printf "%d" (list 1 "a") }}|{{ printf "%5d" "ab" }}',
    want: '[1 2] map[a:[<nil>]] map[k:v]|[1 %!d(string=a)]|%!d(string=   ab)', // checked against Go
  },
  {
    name: 'print and println',
    template: '{{ print 1 2 "a" "b" 3 nil 4.5 true }}|{{ println 1 "a" }}|{{ print }}',
    want: '1 2ab3 <nil> 4.5 true|1 a\n|', // checked against Go
  },
  {
    name: 'html and urlquery',
    template: "{{ html \"<a href=\\\"x\\\">'&'</a>\" }}|{{ urlquery \"a b&c=d/\u00e9~\" }}|{{ html 1 2 }}|{{ urlquery nil }}",
    want: '&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;|a+b%26c%3Dd%2F%C3%A9~|1 2|%3Cno+value%3E', // checked against Go
  },
  {
    name: 'len and index',
    template: '{{ len .a }} {{ len (list 1 2) }} {{ len (dict "a" 1) }} {{ len "h\u00e9llo" }}|{{ index (list 1 2 3) 1 }} {{ index (dict "a" (list 5 6)) "a" 1 }} {{ index "abc" 0 }}',
    data: { a: 'abc' },
    want: '3 2 1 6|2 6 97', // checked against Go
  },
  {
    name: "sprig's slice replaces Go's",
    template: '{{ slice (list 1 2 3 4) 1 3 }}|{{ slice (list 1 2) }}|{{ slice (list) }}|{{ slice (list 1 2 3) "1" 2.9 }}|{{ slice (splitList "," "a,b,c") 1 }}',
    want: '[2 3]|[1 2]|<no value>|[2]|[b c]', // checked against Go
  },
  {
    name: 'sortAlpha, cat, tuple',
    template: '{{ sortAlpha (list "b" "a" 3 nil) }}|{{ sortAlpha "x" }}|{{ cat "a" 1 nil "b" }}|{{ tuple 1 2 }}',
    want: '[3 a b]|[x]|a 1 b|[1 2]', // checked against Go
  },
  {
    name: 'JSON numbers are float64: %v switches to exponents at 1e21 only in toJson',
    template: '{{ range (fromJson .j) }}{{ . }} {{ end }}|{{ toJson (fromJson .j) }}',
    data: { j: '[0, 1, -1.5, 100000, 1000000, 1e20, 1e21, 0.0001, 0.00001, 123456789012, 3.14159265358979]' },
    want: '0 1 -1.5 100000 1e+06 1e+20 1e+21 0.0001 1e-05 1.23456789012e+11 3.14159265358979 |[0,1,-1.5,100000,1000000,100000000000000000000,1e+21,0.0001,0.00001,123456789012,3.14159265358979]', // checked against Go
  },
  {
    name: 'repeat with a float literal that is an integer',
    template: '{{ repeat 2.0 "y" }}',
    want: 'yy', // checked against Go
  },
  {
    name: "slice of a string is an error in sprig's slice",
    template: '{{ slice "abc" 1 }}',
    // Go: template: t:1:3: executing "t" at <slice "abc" 1>: error calling slice: list should be type of slice or array but string
    error: 'template "t": 1:4: executing: error calling slice: list should be type of slice or array but string',
  },
  {
    name: 'repeat needs an int',
    template: '{{ repeat "3" "x" }}',
    // Go: template: t:1:10: executing "t" at <"3">: expected integer; found "3"
    error: 'template "t": 1:11: executing: expected integer; found "3"',
  },
  {
    name: 'repeat of a negative count',
    template: '{{ repeat -1 "x" }}',
    // Go: template: t:1:3: executing "t" at <repeat -1 "x">: error calling repeat: strings: negative Repeat count
    error: 'template "t": 1:4: executing: error calling repeat: strings: negative Repeat count',
  },
  {
    name: 'lt on bools',
    template: '{{ lt true false }}',
    // Go: template: t:1:3: executing "t" at <lt true false>: error calling lt: invalid type for comparison
    error: 'template "t": 1:4: executing: error calling lt: invalid type for comparison',
  },
  {
    name: 'eq on lists',
    template: '{{ eq (list) (list) }}',
    // Go: template: t:1:3: executing "t" at <eq (list) (list)>: error calling eq: non-comparable type []: []interface {}
    // Go prints the list, which may hold secret values: we name its type only.
    error: 'template "t": 1:4: executing: error calling eq: non-comparable type []interface {}',
  },
  {
    name: 'len of an int',
    template: '{{ len 3 }}',
    // Go: template: t:1:3: executing "t" at <len 3>: error calling len: len of type int
    error: 'template "t": 1:4: executing: error calling len: len of type int',
  },
];

describe('template functions (checked against Go text/template + sprig)', () => {
  it.each(cases)('$name', checkCase);
});
