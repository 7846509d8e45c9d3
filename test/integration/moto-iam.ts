import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { applyManifest } from '../../dev/apply.ts';
import type { Harness } from './harness.ts';

/**
 * Principals in a moto of a test's own, for the tests that run with IAM enforced: users with access
 * keys and roles, each with one inline policy allowing some actions on every resource.
 */
export interface AccessKeys {
  id: string;
  secret: string;
}

const allowing = (actions: string | readonly string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const TRUST_ANYONE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

const iamOf = (endpoint: string) => new IAMClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/** Each user, allowed its actions, and its new access keys. Call before enforceIam. */
export async function createIamUsers(endpoint: string, users: Record<string, string | readonly string[]>): Promise<Record<string, AccessKeys>> {
  const iam = iamOf(endpoint);
  const keys: Record<string, AccessKeys> = {};
  for (const [user, actions] of Object.entries(users)) {
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'p', PolicyDocument: allowing(actions) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    keys[user] = { id: key.AccessKeyId!, secret: key.SecretAccessKey! };
  }
  iam.destroy();
  return keys;
}

/** Each role, trusting any principal, allowed its actions (none: no policy at all); their ARNs. Call before enforceIam. */
export async function createIamRoles(endpoint: string, roles: Record<string, string | undefined>): Promise<Record<string, string>> {
  const iam = iamOf(endpoint);
  const arns: Record<string, string> = {};
  for (const [role, actions] of Object.entries(roles)) {
    arns[role] = (await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: TRUST_ANYONE }))).Role!.Arn!;
    if (actions) await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'p', PolicyDocument: allowing(actions) }));
  }
  iam.destroy();
  return arns;
}

/** From here on moto checks every request: each must be signed by a principal whose policy allows it. */
export async function enforceIam(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  if (res.status !== 200) throw new Error(`moto refused to enforce IAM: HTTP ${res.status}`);
}

/** The auth block that signs with the keys applyKeysSecret puts in a namespace. */
export const KEYS_SECRET_AUTH = {
  secretRef: { accessKeyIDSecretRef: { name: 'aws-keys', key: 'access-key' }, secretAccessKeySecretRef: { name: 'aws-keys', key: 'secret-key' } },
} as const;

/** The Secret `aws-keys` holding `keys`, for KEYS_SECRET_AUTH. */
export function applyKeysSecret(h: Harness, namespace: string, keys: AccessKeys): Promise<unknown> {
  return applyManifest(h.kube, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-keys', namespace },
    stringData: { 'access-key': keys.id, 'secret-key': keys.secret },
  });
}
