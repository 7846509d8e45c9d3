import { randomUUID } from 'node:crypto';

/**
 * EventBridge events for Secrets Manager, in the shape EventBridge delivers them to an SQS target
 * (the event JSON itself is the message body). The envelope (version, id, detail-type, source,
 * account, time, region, resources, detail) is EventBridge's, as in its "Amazon EventBridge events"
 * reference and the "AWS API Call via CloudTrail" example; `detail` is the CloudTrail record of
 * the call, shaped as AWS's "CloudTrail entries for Secrets Manager" and CloudTrail's "record
 * contents" pages describe it: requestParameters as the caller sent them (secret values are never
 * recorded), responseElements as AWS answered (camel-cased: arn, name, versionId, versionStages),
 * errorCode/errorMessage for a failed call. RotationSucceeded is a service event ("AWS Service
 * Event via CloudTrail", eventType AwsServiceEvent) naming the secret in
 * additionalEventData.SecretId, with no request or response. Used by the unit tests of
 * src/changes/eventbridge-event.ts and the integration tests of the queue listener.
 */

export const ACCOUNT = '123456789012';

/** A fresh event id, in EventBridge's UUID form. */
export const eventId = (): string => randomUUID();

/** An ARN as AWS gives it: the name, a hyphen and six random characters. */
export const secretArn = (name: string, region = 'us-east-1', suffix = 'a1B2c3'): string =>
  `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix}`;

interface CallRecord {
  eventName: string;
  region?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  error?: { errorCode: string; errorMessage: string };
}

/** The EventBridge envelope around a CloudTrail record of an API call. */
export function apiCallEvent(record: CallRecord, id = eventId()): Record<string, unknown> {
  const region = record.region ?? 'us-east-1';
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.secretsmanager',
    account: ACCOUNT,
    time: '2026-12-03T10:15:00Z',
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID:deployer',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/deployer`,
        accountId: ACCOUNT,
        accessKeyId: 'ASIAEXAMPLEKEYID',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, accountId: ACCOUNT, userName: 'deployer' },
          attributes: { creationDate: '2026-12-03T10:00:00Z', mfaAuthenticated: 'false' },
        },
      },
      eventTime: '2026-12-03T10:15:00Z',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: record.eventName,
      awsRegion: region,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.22.0 md/awscrt#0.22.0 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#secretsmanager',
      ...(record.error ?? {}),
      requestParameters: record.requestParameters,
      responseElements: record.responseElements,
      requestID: '1f3e5c1a-7d1e-4f7c-9f4e-2b9d1c0e8a77',
      eventID: 'b9b3c0a6-2f6e-4a8e-8c4e-4a1d3c2b1a00',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `secretsmanager.${region}.amazonaws.com` },
    },
  };
}

/** PutSecretValue: the request names the secret (name or ARN); the response gives its ARN, the new version and its stages. */
export const putSecretValue = (secretId: string, arn: string, id?: string) => apiCallEvent({
  eventName: 'PutSecretValue',
  region: arn.split(':')[3],
  requestParameters: { secretId, clientRequestToken: '4f1c8d3e-2b7a-4c6d-9e8f-0a1b2c3d4e5f' },
  responseElements: { arn, versionId: '4f1c8d3e-2b7a-4c6d-9e8f-0a1b2c3d4e5f', versionStages: ['AWSCURRENT'] },
}, id);

/** UpdateSecret with a new value: the response gives the ARN, the name and the new version. */
export const updateSecret = (secretId: string, arn: string, name: string) => apiCallEvent({
  eventName: 'UpdateSecret',
  requestParameters: { secretId, clientRequestToken: '0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f' },
  responseElements: { arn, name, versionId: '0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f' },
});

/** UpdateSecretVersionStage: a label moved between versions; the response gives the ARN and name. */
export const updateSecretVersionStage = (secretId: string, arn: string, name: string) => apiCallEvent({
  eventName: 'UpdateSecretVersionStage',
  requestParameters: {
    secretId, versionStage: 'AWSCURRENT', moveToVersionId: '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d', removeFromVersionId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  },
  responseElements: { arn, name },
});

/** RotateSecret: a rotation started; the response gives the ARN, name and the pending version. */
export const rotateSecret = (secretId: string, arn: string, name: string) => apiCallEvent({
  eventName: 'RotateSecret',
  requestParameters: { secretId, clientRequestToken: '7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9', rotateImmediately: true },
  responseElements: { arn, name, versionId: '7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9' },
});

/** DeleteSecret: scheduled for deletion; the response gives the ARN, name and deletion date. */
export const deleteSecret = (secretId: string, arn: string, name: string) => apiCallEvent({
  eventName: 'DeleteSecret',
  requestParameters: { secretId, recoveryWindowInDays: 7 },
  responseElements: { arn, name, deletionDate: 'Dec 10, 2026, 10:15:00 AM' },
});

/** RestoreSecret: the deletion cancelled; the response gives the ARN and name. */
export const restoreSecret = (secretId: string, arn: string, name: string) => apiCallEvent({
  eventName: 'RestoreSecret',
  requestParameters: { secretId },
  responseElements: { arn, name },
});

/** RotationSucceeded: Secrets Manager's own record at the end of a rotation, naming the secret by ARN. */
export function rotationSucceeded(arn: string, id = eventId()): Record<string, unknown> {
  const region = arn.split(':')[3]!;
  return {
    version: '0',
    id,
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.secretsmanager',
    account: ACCOUNT,
    time: '2026-12-03T10:16:00Z',
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { accountId: ACCOUNT, invokedBy: 'secretsmanager.amazonaws.com' },
      eventTime: '2026-12-03T10:16:00Z',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'RotationSucceeded',
      awsRegion: region,
      sourceIPAddress: 'secretsmanager.amazonaws.com',
      userAgent: 'secretsmanager.amazonaws.com',
      requestParameters: null,
      responseElements: null,
      additionalEventData: { SecretId: arn },
      requestID: 'EXAMPLE-3c4d-5e6f-7a8b-9c0d1e2f3a4b',
      eventID: 'EXAMPLE-4d5e-6f7a-8b9c-0d1e2f3a4b5c',
      readOnly: false,
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}
