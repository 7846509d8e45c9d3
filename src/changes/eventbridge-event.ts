import type { SecretChange } from './secret-change.ts';
import { secretArnOf, withoutSuffix } from './secret-name.ts';

/**
 * An SQS message body, as an EventBridge rule delivers it (the event JSON itself: version, id,
 * detail-type, source, account, time, region, resources, detail), read as a change to a secret in
 * AWS Secrets Manager. Pure. The CloudTrail record in `detail` is AWS's: requestParameters and
 * responseElements as the API call was made and answered (AWS's "CloudTrail entries for Secrets
 * Manager" and EventBridge's "Secrets Manager events delivered via CloudTrail").
 *
 * A `why` names fields only, never a value from the message: a message can carry anything, and
 * what it says is logged.
 */
export type EventReading =
  | { kind: 'changes'; eventId: string; changes: SecretChange[] }
  | { kind: 'ignored'; eventId: string; why: string }
  | { kind: 'malformed'; why: string };

/** SQS's own limit on a message body; a longer body is no message SQS could have delivered. */
export const MAX_BODY_BYTES = 256 * 1024;
/** AWS: a secret's name is at most 512 characters, an ARN at most 2048. */
const MAX_ID_LENGTH = 2048;
/** EventBridge's event ids are UUIDs; the listener remembers thousands of them, so a longer one is refused. */
const MAX_EVENT_ID_LENGTH = 128;

const SOURCE = 'aws.secretsmanager';
const API_CALL = 'AWS API Call via CloudTrail';
const SERVICE_EVENT = 'AWS Service Event via CloudTrail';

/** The API calls that change a secret's current value or whether it can be read. */
export const CHANGING_CALLS: readonly string[] = ['PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage', 'RotateSecret', 'DeleteSecret', 'RestoreSecret'];
/** The service events (no API call of anyone's) that do: a rotation's end moves AWSCURRENT. */
export const CHANGING_SERVICE_EVENTS: readonly string[] = ['RotationSucceeded'];

type Json = Record<string, unknown>;

export function readEventBridgeEvent(body: string): EventReading {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) return { kind: 'malformed', why: `body longer than ${MAX_BODY_BYTES} bytes` };
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return { kind: 'malformed', why: 'body is not JSON' };
  }
  if (!isObject(event)) return { kind: 'malformed', why: 'body is not a JSON object' };
  const eventId = event.id;
  const source = event.source;
  const detailType = event['detail-type'];
  if (!isId(eventId) || eventId.length > MAX_EVENT_ID_LENGTH || typeof source !== 'string' || typeof detailType !== 'string') {
    return { kind: 'malformed', why: `not an EventBridge event (needs string fields id, of at most ${MAX_EVENT_ID_LENGTH} characters, source and detail-type)` };
  }
  if (source !== SOURCE) return { kind: 'ignored', eventId, why: 'source is not aws.secretsmanager' };
  const detail = event.detail;
  if (!isObject(detail)) return { kind: 'malformed', why: 'detail is not an object' };
  const eventName = detail.eventName;
  const acted = detailType === API_CALL ? CHANGING_CALLS : detailType === SERVICE_EVENT ? CHANGING_SERVICE_EVENTS : undefined;
  if (!acted) return { kind: 'ignored', eventId, why: 'detail-type is neither an API call nor a service event via CloudTrail' };
  if (typeof eventName !== 'string' || !acted.includes(eventName)) return { kind: 'ignored', eventId, why: 'detail.eventName is not one that changes a secret' };
  // A call that failed changed nothing (CloudTrail records it with errorCode and errorMessage).
  if (detail.errorCode !== undefined && detail.errorCode !== null) return { kind: 'ignored', eventId, why: 'detail.errorCode is set: the call failed' };

  const response = isObject(detail.responseElements) ? detail.responseElements : {};
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const additional = isObject(detail.additionalEventData) ? detail.additionalEventData : {};
  // Before February 2024 some calls' records spelled the response's ARN "aRN".
  const candidates: Array<[string, unknown]> = [
    ['detail.responseElements.name', response.name],
    ['detail.responseElements.arn', response.arn ?? response.aRN],
    ['detail.requestParameters.secretId', request.secretId],
    ['detail.additionalEventData.SecretId', additional.SecretId],
  ];
  for (const [field, value] of candidates) {
    if (value !== undefined && value !== null && !isId(value)) return { kind: 'malformed', why: `${field} is not a secret name or ARN` };
  }
  if (isId(candidates[1]![1]) && !isArn(candidates[1]![1])) return { kind: 'malformed', why: 'detail.responseElements.arn is not a Secrets Manager ARN' };
  const [responseName, responseArn, secretId, serviceSecretId] = candidates.map(([, value]) => (isId(value) ? value : undefined));
  const given = secretId ?? serviceSecretId;
  if (!responseName && !responseArn && !given) {
    return { kind: 'malformed', why: `no secret named in detail.responseElements, detail.requestParameters.secretId or detail.additionalEventData.SecretId of ${eventName}` };
  }
  // The response's ARN is AWS's own, always full; a secretId may be a name, a full ARN or a partial one.
  const arn = responseArn ?? (given && isFullArn(given) ? given : undefined);
  const name = responseName ?? (arn ? nameFromArn(arn) : nameOf(given!));
  const fallbackRegion = [detail.awsRegion, event.region].find((r): r is string => typeof r === 'string' && r !== '');
  const region = [arn, given].map((id) => id && regionOfArn(id)).find(Boolean) ?? fallbackRegion;
  const change: SecretChange = { name, ...(region ? { region } : {}), ...(arn ? { arn } : {}) };
  return { kind: 'changes', eventId, changes: [change] };
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;

const isArn = (id: string): boolean => secretArnOf(id) !== undefined;

/** An ARN with AWS's random suffix (a response's ARN always has it; a secretId may be a partial ARN). */
const isFullArn = (id: string): boolean => secretArnOf(id)?.suffixed ?? false;

const nameFromArn = (arn: string): string => withoutSuffix(secretArnOf(arn)!);

/** The name an id gives: a full ARN's without the suffix, a partial ARN's as is, a plain name itself. */
function nameOf(id: string): string {
  const arn = secretArnOf(id);
  return arn ? withoutSuffix(arn) : id;
}

const regionOfArn = (arn: string): string | undefined => secretArnOf(arn)?.region;
