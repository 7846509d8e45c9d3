/**
 * The change queue of the bench's changes phase: an SQS queue in moto that the operator reads
 * (CHANGE_QUEUE_URL), and the bench in EventBridge's place. moto records no CloudTrail events and
 * runs no EventBridge rules, so after each PutSecretValue the bench sends the queue the event an
 * EventBridge rule on Secrets Manager's CloudTrail events would deliver for it, at once: the
 * latency measured is the operator's (queue read → refresh → Secret written), with zero delivery
 * delay where AWS adds its own (CloudTrail to EventBridge, typically seconds).
 */
import { randomUUID } from 'node:crypto';
import type { PutSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BenchEnvironment } from './environment.ts';

export interface ChangeQueue {
  /** The queue's URL for the operator: at the recording proxy, so its SQS calls are counted too. */
  operatorUrl: string;
  /** Sends the EventBridge event of a PutSecretValue that AWS answered with `put`. */
  sendPutSecretValue(secretId: string, put: PutSecretValueCommandOutput): Promise<void>;
  close(): void;
}

export async function createChangeQueue(env: BenchEnvironment, name = 'bench-secret-changes'): Promise<ChangeQueue> {
  // Straight to moto, as the bench's own Secrets Manager calls: only the operator's calls are counted.
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: env.moto.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = new URL(QueueUrl!);
  return {
    operatorUrl: `${env.proxyEndpoint}${url.pathname}`,
    async sendPutSecretValue(secretId, put) {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(putSecretValueEvent(secretId, put)) }));
    },
    close: () => sqs.destroy(),
  };
}

/**
 * The event EventBridge delivers for a PutSecretValue call (detail-type "AWS API Call via
 * CloudTrail", source aws.secretsmanager; `detail` is the call's CloudTrail record: the request as
 * made, without the secret value, CloudTrail never records it; the response's ARN and version),
 * in the shape of AWS's documentation of EventBridge events and of CloudTrail entries for Secrets Manager.
 */
export function putSecretValueEvent(secretId: string, put: PutSecretValueCommandOutput, at = new Date()): Record<string, unknown> {
  const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(put.ARN ?? '')?.[1] ?? 'us-east-1';
  const account = /^arn:[^:]+:secretsmanager:[^:]*:(\d+):/.exec(put.ARN ?? '')?.[1] ?? '123456789012';
  const time = `${at.toISOString().slice(0, 19)}Z`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.secretsmanager',
    account,
    time,
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLEBENCH', arn: `arn:aws:iam::${account}:user/bench`, accountId: account, accessKeyId: 'AKIAEXAMPLEBENCH', userName: 'bench' },
      eventTime: time,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'PutSecretValue',
      awsRegion: region,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-sdk-js/3 bench',
      requestParameters: { secretId, clientRequestToken: randomUUID() },
      responseElements: { arn: put.ARN, versionId: put.VersionId, versionStages: put.VersionStages ?? ['AWSCURRENT'] },
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}
