import {
  CloudBackend,
  ConsulBackend,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TerraformStack,
} from "cdktf";
import { checkNonEmpty } from "../constructs/core/names";
import { BackendConfig } from "../environments/types";

/**
 * Configures the stack's state backend. Local state lives at the project root (the stack runs in
 * `cdktf.out/stacks/<name>`, hence the `../../../`), so the path in the synthesized JSON stays
 * relative and the same on every machine.
 */
export function configureBackend(stack: TerraformStack, name: string, backend: BackendConfig): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: `../../../${backend.path ?? `terraform.${name}.tfstate`}` });
      return;
    case "consul":
      checkNonEmpty(stack, "backend.address", backend.address, "set the Consul address holding the state");
      checkNonEmpty(stack, "backend.path", backend.path, 'set a KV path such as "meshstack/<env>"');
      new ConsulBackend(stack, {
        address: backend.address,
        path: backend.path,
        scheme: backend.scheme ?? "https",
        lock: true,
        accessToken: "", // empty: Terraform reads CONSUL_HTTP_TOKEN, so no secret is committed
      });
      return;
    case "s3":
      checkNonEmpty(stack, "backend.bucket", backend.bucket, "set the S3 bucket holding the state");
      checkNonEmpty(stack, "backend.key", backend.key, 'set an object key such as "meshstack/<env>.tfstate"');
      checkNonEmpty(
        stack,
        "backend.kmsKeyId",
        backend.kmsKeyId,
        'set the KMS key that encrypts the state (it holds secrets), such as "alias/terraform-state"',
      );
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        encrypt: true,
        kmsKeyId: backend.kmsKeyId,
        dynamodbTable: backend.dynamodbTable,
      });
      // cdktf 0.21 predates S3-native locking (Terraform 1.10+); set it through the escape hatch.
      if (!backend.dynamodbTable) s3.addOverride("use_lockfile", true);
      return;
    case "cloud":
      checkNonEmpty(
        stack,
        "backend.organization",
        backend.organization,
        "set the HCP Terraform organization",
      );
      new CloudBackend(stack, {
        hostname: backend.hostname ?? "app.terraform.io",
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(backend.workspace),
      });
  }
}
