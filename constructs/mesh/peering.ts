import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { Peering } from "@cdktf/provider-consul/lib/peering";
import { PeeringToken } from "@cdktf/provider-consul/lib/peering-token";
import { check, isObject, isReference, show } from "../core/errors";
import { checkBoolean, checkTexts } from "../core/values";
import type { ServiceMesh } from "./service-mesh";

/** Options for {@link ServiceMesh.peerWith}. */
export interface MeshPeeringOptions {
  /**
   * Addresses (`host:port` of gRPC over TLS) at which the dialing datacenter's Consul servers reach the
   * accepting one's; the peering token carries them.
   * @default - the accepting servers' own gRPC addresses, or their mesh gateways' WAN addresses when
   * the mesh peers through them (`MeshDefaults.peerThroughMeshGateways`)
   */
  readonly serverExternalAddresses?: string[];
  /**
   * Protect both ends with `prevent_destroy`: deleting either one cuts every call across the peering
   * and its failover at once.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A Consul cluster peering between two meshes, each usually in its own stack: the accepting mesh's
 * stack mints the peering token (`consul_peering_token`) and the dialing mesh's stack establishes the
 * peering with it (`consul_peering`). The token passes between the stacks as a cross-stack reference,
 * which cdktf turns into a sensitive output and a remote-state read, and which orders the two stacks
 * in one `cdktf deploy`.
 *
 * Peering opens nothing by itself: services are shared with {@link MeshService.exportTo}, and called
 * across with {@link MeshService.connectTo} or {@link MeshService.failoverTo}, each adding exactly the
 * intentions (sources with `Peer`) it needs; default deny stays in force on both sides.
 */
export class MeshPeering extends Construct {
  /** The mesh that establishes the peering. */
  public readonly dialer: ServiceMesh;
  /** The mesh that issues the token. */
  public readonly acceptor: ServiceMesh;
  /** The token, in the acceptor's stack (its secret is sensitive). */
  public readonly token: PeeringToken;
  /** The peering, in the dialer's stack. */
  public readonly peering: Peering;

  /** @internal Use {@link ServiceMesh.peerWith}. */
  public constructor(dialer: ServiceMesh, acceptor: ServiceMesh, options: MeshPeeringOptions = {}) {
    const [dialerName, acceptorName] = [dialer.peerName!, acceptor.peerName!];
    super(dialer, `Peer-${acceptorName}`);
    check(
      this,
      isObject(options),
      `peerWith options ${show(options)} are not an object; pass { serverExternalAddresses } or leave them out`,
    );
    checkTexts(this, "serverExternalAddresses", options.serverExternalAddresses, "10.0.2.10:8503");
    const addresses = isReference(options.serverExternalAddresses)
      ? []
      : (options.serverExternalAddresses ?? []);
    for (const [i, address] of addresses.entries()) {
      check(
        this,
        isReference(address) || /^[^\s:]+:\d{1,5}$/.test(address),
        `serverExternalAddresses[${i}] ${show(address)} is not host:port; give the gRPC TLS address the ` +
          `dialing servers reach, e.g. "10.0.2.10:8503"`,
      );
    }
    checkBoolean(this, "preventDestroy", options.preventDestroy);
    this.dialer = dialer;
    this.acceptor = acceptor;
    const lifecycle = { preventDestroy: options.preventDestroy ?? true };
    // Each side names the other: the acceptor's token is for the dialer, the dialer's peering is the acceptor.
    this.token = new PeeringToken(acceptor, `PeeringToken-${dialerName}`, {
      peerName: dialerName,
      serverExternalAddresses: options.serverExternalAddresses,
      dependsOn: acceptor.dependsOn.length ? acceptor.dependsOn : undefined,
      lifecycle,
    });
    this.peering = new Peering(this, "Peering", {
      peerName: acceptorName,
      peeringToken: this.token.peeringToken,
      dependsOn: dialer.dependsOn.length ? dialer.dependsOn : undefined,
      lifecycle,
    });
  }

  /** Whether the two meshes are in different stacks (the usual case: one stack per datacenter). */
  public get crossesStacks(): boolean {
    return TerraformStack.of(this.dialer) !== TerraformStack.of(this.acceptor);
  }
}
