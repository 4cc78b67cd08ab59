import { Construct } from "constructs";
import { MeshJob, MeshService, ServiceMesh } from "../constructs/mesh";
import { TaskDriver } from "../constructs/nomad";

/** Props for {@link SshOverSni}. */
export interface SshOverSniProps {
  /** The mesh; needs an ingress with a TLS entry point. */
  readonly mesh: ServiceMesh;
  /**
   * Job ID and Consul service name.
   * @default "simple01"
   */
  readonly name?: string;
  /** Domain the instance is reached under: `<name>.<domain>` is the SNI route. */
  readonly domain: string;
  /** URL of the qcow2 image (go-getter source). */
  readonly imageUrl: string;
  /**
   * Port QEMU forwards to the guest's SSH inside the namespace.
   * @default 25001
   */
  readonly sshPort?: number;
}

/**
 * A VM reached over SSH through Traefik's TLS entry point (the QEMU job of the Nomad security
 * write-up): QEMU forwards a namespace port to the guest's port 22, the group's sidecar registers it
 * in the mesh, and a TCP `HostSNI` router sends TLS connections for `<name>.<domain>` to it. Clients
 * connect with `ssh -o ProxyCommand="openssl s_client -quiet -servername %h -connect <ingress>:8443" <host>`.
 */
export class SshOverSni extends Construct {
  /** The mesh service of the VM. */
  public readonly service: MeshService;

  public constructor(scope: Construct, id: string, props: SshOverSniProps) {
    super(scope, id);
    const name = props.name ?? "simple01";
    const sshPort = props.sshPort ?? 25001;
    const job = new MeshJob(this, "Job", {
      mesh: props.mesh,
      name,
      meta: { qcow_name: `${name}.qcow2`, srv_ssh_port: `${sshPort}` },
    });
    this.service = new MeshService(job, "vm", {
      mesh: props.mesh,
      name,
      port: sshPort,
      expose: { tcp: { sni: `${name}.${props.domain}` } },
      tasks: [
        {
          name: "run-compute-instance",
          driver: TaskDriver.custom("qemu", {
            image_path: "image/${NOMAD_META_qcow_name}",
            accelerator: "kvm",
            args: [
              "-vnc",
              "none,ipv4",
              "-device",
              "virtio-net,netdev=user.0",
              "-netdev",
              "user,id=user.0,hostfwd=tcp::${NOMAD_META_srv_ssh_port}-:22",
            ],
          }),
          artifacts: [{ GetterSource: props.imageUrl, RelativeDest: "image" }],
          resources: { cpu: 2000, memoryMb: 4096 },
        },
      ],
    });
  }
}
