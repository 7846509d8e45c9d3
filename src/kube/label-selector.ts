import type { LabelSelector } from '../api/generated.ts';

/** A namespace selector that Kubernetes would reject (metav1.LabelSelectorAsSelector). */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

// Label keys: an optional DNS-subdomain prefix and a name; values: empty or a name (k8s.io/apimachinery validation).
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new SelectorError(`invalid label key "${key}": the prefix must be a DNS subdomain`);
  }
  if (name.length > 63 || !NAME.test(name)) {
    throw new SelectorError(`invalid label key "${key}": the name must be 63 characters or less, alphanumeric, '-', '_' or '.'`);
  }
}

function checkValue(key: string, value: string): void {
  if (value !== '' && (value.length > 63 || !NAME.test(value))) {
    throw new SelectorError(`invalid label value "${value}" for key "${key}": 63 characters or less, alphanumeric, '-', '_' or '.'`);
  }
}

/**
 * Compiles a label selector with Kubernetes semantics: matchLabels and
 * matchExpressions are ANDed, an empty selector matches everything. Throws
 * SelectorError for what the apiserver's selector conversion rejects: an unknown
 * operator, In/NotIn without values, Exists/DoesNotExist with values, a bad key or value.
 */
export function compileSelector(selector: LabelSelector): LabelMatcher {
  const tests: LabelMatcher[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    checkKey(key);
    checkValue(key, value);
    tests.push((labels) => labels[key] === value);
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    checkKey(key);
    const has = (labels: Readonly<Record<string, string>>) => Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) throw new SelectorError(`operator ${operator} on "${key}" needs at least one value`);
        for (const v of values) checkValue(key, v);
        const set = new Set(values);
        tests.push(operator === 'In'
          ? (labels) => has(labels) && set.has(labels[key]!)
          : (labels) => !has(labels) || !set.has(labels[key]!));
        break;
      }
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new SelectorError(`operator ${operator} on "${key}" takes no values`);
        tests.push(operator === 'Exists' ? has : (labels) => !has(labels));
        break;
      default:
        throw new SelectorError(`"${operator}" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`);
    }
  }
  return (labels) => tests.every((test) => test(labels));
}
