/**
 * Templates that would hang or exhaust memory without the bounds of src/go/template/limits.ts,
 * each with the error its bound gives. template-limits.test.ts checks the errors and the work
 * counted; `make bench` (scripts/bench-limits.ts) times them.
 */
export const templateLimitCases: [name: string, template: string, error: string, data?: Record<string, string>][] = [
  ['range iterations', '{{ range 1000000 }}x{{ end }}', 'range loops exceed the limit of 100000 iterations'],
  ['nested ranges count together', '{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}', 'range loops exceed the limit'],
  ['output size', '{{ range 2000 }}{{ repeat 1000 "x" }}{{ end }}', 'output exceeds the limit of 1048576 bytes'],
  ['a string built by a function', '{{ repeat 100000000 "x" }}', 'error calling repeat: result exceeds the limit of 1048576 bytes'],
  ['indent', '{{ indent 100000000 "x" }}', 'error calling indent: result exceeds the limit'],
  ['replace of an empty string', '{{ replace "" (repeat 1000 "y") (repeat 100000 "x") }}', 'error calling replace: result exceeds the limit'],
  ['doubling a string', '{{ $s := "xx" }}{{ range 100 }}{{ $s = printf "%s%s" $s $s }}{{ end }}', 'error calling printf: result exceeds the limit'],
  ['doubling a list', '{{ $l := list 1 }}{{ range 60 }}{{ $l = list $l $l }}{{ end }}', 'error calling list: value size exceeds the limit'],
  ['nesting a list', '{{ $l := list 1 }}{{ range 2000 }}{{ $l = list $l }}{{ end }}', 'error calling list: value nesting exceeds the limit of 1000'],
  ['work of functions', '{{ $s := repeat 1000000 "x" }}{{ range 10000 }}{{ if contains "y" $s }}{{ end }}{{ end }}', 'functions processed more than the limit'],
  ['evaluation steps', '{{ range 90000 }}{{ len "a" }}{{ len "a" }}{{ len "a" }}{{ len "a" }}{{ len "a" }}{{ len "a" }}{{ end }}', 'evaluation exceeds the limit of 250000 steps'],
  ['deep JSON', '{{ fromJson .j }}', 'error calling fromJson: value nesting exceeds the limit of 1000', { j: '['.repeat(5000) + ']'.repeat(5000) }],
  ['parentheses', `{{ ${'('.repeat(200)}1${')'.repeat(200)} }}`, 'nesting exceeds the limit of 100'],
  ['control structures', '{{ if 1 }}'.repeat(150) + '{{ end }}'.repeat(150), 'nesting exceeds the limit of 100'],
  // Each comparison of has, uniq and without is charged: 77 s, 5 s and 20 s before.
  ['uniq of a long list of lists', '{{ len (uniq (chunk 1 (until 20000))) }}', 'error calling uniq: functions processed more than the limit'],
  ['has in a loop over its list', '{{ $l := until 20000 }}{{ range $l }}{{ if has . $l }}{{ end }}{{ end }}', 'error calling has: functions processed more than the limit'],
  ['without of many lists', '{{ $l := chunk 1 (until 50000) }}{{ len (without $l (list -1) (list -2) (list -3) (list -4) (list -5) (list -6) (list -7) (list -8) (list -9) (list -10) (list -11) (list -12)) }}', 'error calling without: functions processed more than the limit'],
  // Regexp compiles are charged by their size before they are built: 25 s and 13 s before.
  ['a large regexp matched in a loop', '{{ range until 100000 }}{{ $x := regexMatch "[\\\\p{L}\\\\p{N}\\\\p{S}\\\\p{P}]{1000}" "x" }}{{ end }}', 'error calling regexMatch: functions processed more than the limit'],
  ['distinct large regexps', '{{ range $i := until 100000 }}{{ $x := regexMatch (printf "[\\\\p{L}\\\\p{N}\\\\p{S}\\\\p{P}]{%d}" (add 500 (mod $i 500))) "x" }}{{ end }}', 'error calling regexMatch: functions processed more than the limit'],
  ['many capture groups matched in a loop', `{{ range until 100000 }}{{ $x := regexMatch "${'(a|b)'.repeat(200)}" "x" }}{{ end }}`, 'error calling regexMatch: functions processed more than the limit'],
  // Tokens past the lines' share are charged: 300,000 of them took 4.5 s to lex, parse and compose before.
  ['YAML of many tokens on one line', '{{ fromYaml .y }}', 'error calling fromYaml: functions processed more than the limit', { y: 'a: ' + '[x]'.repeat(100_000) }],
];
