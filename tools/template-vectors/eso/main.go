// Command eso runs ESO's own template engine (the package
// github.com/external-secrets/external-secrets/pkg/template/v2 of the newest ESO release the Go
// module proxy serves here whole, v0.16.2; later releases moved it to runtime/template/v2, a module
// of its own that the proxy does not serve) on template vectors, so that the restatement of ESO's
// helpers in ../ (helpers.go) is checked against ESO's real code rather than against itself.
//
//	go run . check ../../../test/data/template-certs/vectors.json          # report, JSON on stdout
//	go run . check -write ../../../test/data/template-certs/vectors.json   # also record it in the file
//	go run . lang > ../../../test/data/template-lang/eso-vectors.json
//
// `check` renders every case of vectors.json through ESO's Execute (each template key parsed on
// its own, missingkey=error, ESO's function map) and compares with the case's want or error.
// PKCS#12 encoders are randomized: their outputs, ours and the vector's, are compared by what
// ESO's own pkcs12keyPass and pkcs12certPass read back from them. `lang` writes vectors of
// toYaml/fromYaml and define/template/block as ESO's engine renders them.
//
// go.mod pins the dependencies ESO 2.x's runtime module requires (go-pkcs12, jwx, sigs.k8s.io/yaml)
// instead of the older ones v0.16.2 was released with; `-modfile=released.mod` builds with the
// latter, to tell a change of a helper from a change of a library.
package main

import (
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	esv1 "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
	esotemplate "github.com/external-secrets/external-secrets/pkg/template/v2"
	corev1 "k8s.io/api/core/v1"
)

const esoModule = "github.com/external-secrets/external-secrets"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: eso check [-write] VECTORS.json | eso lang")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "check":
		args := os.Args[2:]
		write := len(args) > 0 && args[0] == "-write"
		if write {
			args = args[1:]
		}
		if len(args) != 1 {
			fmt.Fprintln(os.Stderr, "usage: eso check [-write] VECTORS.json")
			os.Exit(2)
		}
		check(args[0], write)
	case "lang":
		lang()
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

// render runs ESO's engine as an ExternalSecret's target.template.data does: scope Values,
// target Data, the data map holding the provider's values.
func render(templates map[string]string, data map[string]string) (map[string]string, error) {
	return renderScoped(templates, data, esv1.TemplateScopeValues)
}

// renderScoped is render with a templateFrom's scope: Values renders each key's template as that
// key's value; KeysAndValues renders each template to YAML whose keys and values become the Secret's.
func renderScoped(templates map[string]string, data map[string]string, scope esv1.TemplateScope) (map[string]string, error) {
	tpl := map[string][]byte{}
	for k, v := range templates {
		tpl[k] = []byte(v)
	}
	in := map[string][]byte{}
	for k, v := range data {
		in[k] = []byte(v)
	}
	secret := &corev1.Secret{}
	if err := esotemplate.Execute(tpl, in, scope, esv1.TemplateTargetData, secret); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range secret.Data {
		out[k] = string(v)
	}
	return out, nil
}

// versions names ESO's module and the libraries its helpers lean on, as built.
func versions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown versions"
	}
	want := map[string]bool{esoModule: true, "software.sslmate.com/src/go-pkcs12": true,
		"github.com/lestrrat-go/jwx/v2": true, "sigs.k8s.io/yaml": true, "github.com/Masterminds/sprig/v3": true}
	var parts []string
	for _, d := range info.Deps {
		if want[d.Path] {
			m := d
			if d.Replace != nil {
				m = d.Replace
			}
			parts = append(parts, m.Path+" "+m.Version)
		}
	}
	return info.GoVersion + ", " + strings.Join(parts, ", ")
}

// innerError drops ESO's "unable to execute/parse template at key K: " wrappers, leaving Go's
// text/template error, which is what the vectors record.
func innerError(err error) string {
	s := err.Error()
	for {
		t := strings.TrimPrefix(s, "unable to execute template at key t: ")
		t = strings.TrimPrefix(t, "unable to parse template at key t: ")
		if t == s {
			return s
		}
		s = t
	}
}

// missingFunctions lists the functions a template calls that this ESO version's map lacks.
func missingFunctions(tpl string) []string {
	funcs := esotemplate.FuncMap()
	var missing []string
	for _, m := range regexp.MustCompile(`(?:\{\{|\|) *([A-Za-z][A-Za-z0-9]*)`).FindAllStringSubmatch(tpl, -1) {
		if _, ok := funcs[m[1]]; !ok {
			missing = append(missing, m[1])
		}
	}
	return missing
}

var encoder = regexp.MustCompile(`(pemToPkcs12|fullPemToPkcs12|pemTruststoreToPKCS12)`)
