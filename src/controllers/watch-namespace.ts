/** A namespace's name: a DNS-1123 label (k8s.io/apimachinery IsDNS1123Label). */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL_LENGTH = 63;

/**
 * WATCH_NAMESPACE: the one namespace the operator serves, or undefined (unset or empty) for the
 * whole cluster. A value that is not a namespace's name is refused at start, so a typo cannot
 * leave the operator watching nothing without a word.
 */
export function watchNamespaceFrom(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_LABEL_LENGTH || !DNS_1123_LABEL.test(value)) {
    throw new Error(`WATCH_NAMESPACE ${JSON.stringify(value)} is not a namespace name: a DNS-1123 label of at most ${MAX_LABEL_LENGTH} `
      + "lowercase letters, digits and '-', starting and ending with a letter or digit (leave it unset or empty to watch the whole cluster)");
  }
  return value;
}
