/**
 * What of an apiserver error we may repeat. A Status answering a request that carried a body
 * may quote what we sent: a 422 for a Secret quotes the invalid label value, and a template can
 * route a secret value into a label. Such a message would reach the ExternalSecret's status, an
 * Event and the logs. So for those requests the message is rebuilt from the Status's structured
 * parts (reason, kind and name, each cause's field and type), never copied; the apiserver's own
 * text is kept only where we sent nothing, and for RBAC refusals, whose fixed form names only the
 * user, verb, resource and namespace.
 */
export interface ApiErrorParts {
  /** metav1.Status reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, ... */
  reason: string;
  /** Safe to put into a status, an Event or a log line. */
  message: string;
}

/** metav1.StatusCause as it is sent: its Go field `Type` is `reason` in JSON. */
interface StatusCause {
  reason?: unknown;
  field?: unknown;
}

/** Readable words for metav1.CauseType values. */
const causeWords: Record<string, string> = {
  FieldValueNotFound: 'not found',
  FieldValueRequired: 'required',
  FieldValueDuplicate: 'duplicate value',
  FieldValueInvalid: 'invalid value',
  FieldValueNotSupported: 'unsupported value',
  FieldValueForbidden: 'forbidden',
  FieldValueTooLong: 'too long',
  FieldValueTooMany: 'too many items',
  FieldValueTypeInvalid: 'wrong type',
  InternalError: 'internal error',
  FieldManagerConflict: 'field manager conflict',
  ResourceVersionTooLarge: 'resource version too large',
};

/** RBAC's refusal, exactly: `<resource> "<name>" is forbidden: User "<user>" cannot <verb> resource "<r>" ...`. */
const RBAC_FORBIDDEN = /^[a-z0-9.-]+(?: "[a-z0-9.-]*")? is forbidden: User "[^"\n]{1,256}" cannot [a-z]+ resource "[a-z0-9./-]+"(?: in API group "[a-z0-9.-]*")?(?: in the namespace "[a-z0-9-]*"| at the cluster scope)?$/;

/** Reasons that say all there is to say: nothing is lost by withholding their message. */
const SELF_EXPLANATORY = new Set(['Conflict', 'AlreadyExists', 'NotFound', 'Gone', 'Expired', 'TooManyRequests', 'ServiceUnavailable', 'Timeout', 'ServerTimeout', 'Unauthorized']);

const MAX_CAUSES = 5;
const NAME = /^[a-zA-Z0-9.:-]{1,253}$/;

/** The reason and a safe message of an apiserver error response. */
export function apiErrorParts(body: string, sentBody: boolean): ApiErrorParts {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const isStatus = parsed && typeof parsed === 'object' && parsed.kind === 'Status';
  const reason = isStatus && typeof parsed.reason === 'string' && /^[A-Za-z]{1,64}$/.test(parsed.reason) ? parsed.reason : 'Unknown';
  const text = isStatus && typeof parsed.message === 'string' ? parsed.message : body.slice(0, 500);
  if (!sentBody) return { reason, message: text };
  if (reason === 'Forbidden' && RBAC_FORBIDDEN.test(text)) return { reason, message: text };

  const details = isStatus && parsed.details && typeof parsed.details === 'object' ? parsed.details : {};
  const kind = typeof details.kind === 'string' && NAME.test(details.kind) ? details.kind : undefined;
  const name = typeof details.name === 'string' && NAME.test(details.name) ? details.name : undefined;
  const causes: StatusCause[] = Array.isArray(details.causes) ? details.causes : [];
  const fields = causes.slice(0, MAX_CAUSES).map((c) => {
    // Subscripts are keys, and a template can make a key of a secret value (templateFrom KeysAndValues).
    const field = typeof c.field === 'string' ? c.field.slice(0, 300).replace(/\[[^\]]*\]?/g, '[…]') : '(object)';
    const words = typeof c.reason === 'string' ? causeWords[c.reason] ?? c.reason.slice(0, 64) : 'rejected';
    return `${field}: ${words}`;
  });
  if (causes.length > MAX_CAUSES) fields.push(`and ${causes.length - MAX_CAUSES} more`);
  const what = kind ? `${kind}${name ? ` "${name}"` : ''} ` : '';
  const withheld = text && !SELF_EXPLANATORY.has(reason) ? '; its message is withheld because it may quote the values sent' : '';
  return { reason, message: `${what}rejected${fields.length ? `: ${fields.join('; ')}` : ''}${withheld}` };
}
