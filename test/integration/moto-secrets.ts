import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import { awsName } from './cases.ts';

/** moto itself, not through a proxy: a test's own writes are not the operator's calls. */
export function motoIn(region: string): SecretsManagerClient {
  return new SecretsManagerClient({ region, endpoint: inject('motoEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** `count` new secrets in `region` holding `{"v":"<label>-<i>-v1"}`; their names. */
export async function awsSecrets(region: string, label: string, count: number): Promise<string[]> {
  const aws = motoIn(region);
  const names = Array.from({ length: count }, (_, i) => awsName(`${label}-${i}`));
  for (const [i, name] of names.entries()) await aws.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ v: `${label}-${i}-v1` }) }));
  aws.destroy();
  return names;
}
