import type { ExternalSecret } from '../api/generated.ts';
import { FINALIZER_ORPHAN } from '../api/well-known.ts';
import { OperatorError } from '../errors.ts';

/**
 * spec.target.template.metadata.finalizers, as ESO 2.9 applies them to the target Secret: each
 * one the Secret does not carry yet is appended, in the template's order; none is ever removed,
 * neither when it leaves the template nor when the ExternalSecret is deleted. A finalizer in the
 * template belongs to another controller (ESO #4933: a runner controller that releases the
 * Secret when it is done with it), and only that controller may take it off. A Secret already
 * being deleted gets none: the apiserver refuses new finalizers on it (422).
 *
 * The name check below is the apiserver's own for a core object such as a Secret (apimachinery's
 * IsQualifiedName; a name without a domain prefix only if it is one of Kubernetes' own; "orphan"
 * never beside "foregroundDeletion"), written by hand because it must accept and refuse exactly
 * what the apiserver does: a name it would refuse is reported as InvalidSpec, from the spec, before
 * anything is written, instead of a 422 whose text may not be repeated.
 */

/** The finalizers the template asks for; none without a template (ESO reads them only from it). */
export const templateFinalizers = (es: ExternalSecret): string[] => es.spec.target?.template?.metadata?.finalizers ?? [];

/**
 * The Secret's finalizers after the template's: the live ones in their order, then the missing
 * ones (none on a Secret being deleted). Throws InvalidSpec for a list the apiserver would refuse.
 */
export function withTemplateFinalizers(live: { finalizers?: string[]; deletionTimestamp?: string }, wanted: readonly string[]): string[] {
  wanted.forEach((name, i) => {
    const problem = finalizerNameProblem(name);
    if (problem) throw new OperatorError('InvalidSpec', `${AT}[${i}]: ${quoted(name)} is not a valid finalizer name: ${problem}`);
  });
  const finalizers = [...(live.finalizers ?? [])];
  if (live.deletionTimestamp) return finalizers;
  const present = new Set(finalizers);
  for (const name of wanted) {
    if (present.has(name)) continue;
    present.add(name);
    finalizers.push(name);
  }
  if (present.has(FINALIZER_ORPHAN) && present.has(FOREGROUND)) {
    // The pair may be half the Secret's own: still the spec's to change, so InvalidSpec too.
    throw new OperatorError('InvalidSpec', `${AT}: the Secret would carry both "${FINALIZER_ORPHAN}" and "${FOREGROUND}", which the apiserver refuses`);
  }
  return finalizers;
}

const AT = 'spec.target.template.metadata.finalizers';

// The garbage collector's finalizer that asks the opposite of FINALIZER_ORPHAN: dependents deleted first.
const FOREGROUND = 'foregroundDeletion';

/** The finalizers of Kubernetes itself, the only names a core object may carry without a prefix. */
const STANDARD = new Set(['kubernetes', FINALIZER_ORPHAN, FOREGROUND]);

const NAME_MAX = 63;
const SUBDOMAIN_MAX = 253;
/** apimachinery's qualifiedNameFmt: alphanumerics at both ends, '-', '_' and '.' between. */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** apimachinery's dns1123SubdomainFmt: dot-separated lowercase labels. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why the apiserver would refuse this finalizer name, or undefined when it accepts it. */
export function finalizerNameProblem(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length > 2) return "at most one '/' may separate a DNS subdomain prefix from the name (e.g. example.com/cleanup)";
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) return "the prefix before '/' is empty";
    if (prefix.length > SUBDOMAIN_MAX) return `the prefix before '/' is longer than ${SUBDOMAIN_MAX} characters`;
    if (!SUBDOMAIN.test(prefix)) return "the prefix before '/' must be a lowercase DNS subdomain (letters, digits, '-' and '.', e.g. example.com)";
  }
  if (name.length === 0) return 'the name is empty';
  if (name.length > NAME_MAX) return `the name part is longer than ${NAME_MAX} characters`;
  if (!NAME.test(name)) return "the name part may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit";
  if (parts.length === 1 && !STANDARD.has(name)) return "without a domain prefix only Kubernetes' own (kubernetes, orphan, foregroundDeletion) are allowed: use a prefixed name such as example.com/cleanup";
  return undefined;
}

/** A name as the message shows it: JSON-quoted (control characters escaped) and cut short. */
const quoted = (name: string): string => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
