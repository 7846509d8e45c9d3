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
];
