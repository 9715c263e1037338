import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Where `${aws-sm:…}` references are read from. `get` rejects with a message that names no value. */
export interface SecretStore {
  get(name: string): Promise<string>;
}

/**
 * AWS Secrets Manager through the SDK's standard chain: region (AWS_REGION, profile), credentials
 * (environment, profile, ECS task role, instance role) and endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER
 * or AWS_ENDPOINT_URL, e.g. a VPC endpoint or a local fake). Needs secretsmanager:GetSecretValue.
 */
export function createSecretsManagerSource(client?: SecretsManagerClient): SecretStore {
  // Loaded on first use: a server without ${aws-sm:…} references does not pay for the SDK at start.
  const sdk = import('@aws-sdk/client-secrets-manager');
  let made: SecretsManagerClient | undefined = client;
  return {
    async get(name) {
      try {
        const { GetSecretValueCommand, SecretsManagerClient } = await sdk;
        made ??= new SecretsManagerClient({});
        const out = await made.send(new GetSecretValueCommand({ SecretId: name }));
        if (out.SecretString !== undefined) return out.SecretString;
        if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString('utf8');
        throw new Error('the secret has no value (SecretString nor SecretBinary)');
      } catch (err) {
        throw new Error(describe(err, name));
      }
    },
  };
}

function describe(err: unknown, name: string): string {
  const e = err as Error & { name?: string; $metadata?: { httpStatusCode?: number } };
  switch (e.name) {
    case 'ResourceNotFoundException':
      return `secret ${name} does not exist in Secrets Manager (check the name and the region, AWS_REGION)`;
    case 'AccessDeniedException':
      return (
        `access to secret ${name} was denied: ` +
        "grant secretsmanager:GetSecretValue on it (and kms:Decrypt on its key) to this task's role"
      );
    case 'DecryptionFailure':
      return `secret ${name} cannot be decrypted: grant kms:Decrypt on its KMS key`;
    case 'CredentialsProviderError':
      return 'no AWS credentials found (set a task/instance role, AWS_PROFILE or AWS_ACCESS_KEY_ID)';
    default: {
      // The SDK's own messages name the operation and status, not the secret's value.
      const status = e.$metadata?.httpStatusCode ? ` ${e.$metadata.httpStatusCode}` : '';
      return `Secrets Manager failed (${e.name ?? 'error'}${status}): ${String(e.message).slice(0, 200)}`;
    }
  }
}
