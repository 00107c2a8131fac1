/**
 * bench:scale's floor: the Docker objects of a lab (the networks and
 * containers testbed's plan names, with the same options, image, files,
 * capabilities and devices) created, connected, started and removed with
 * dockerode alone, in parallel as `up` and `down` do, and nothing else: no
 * topology, no firewall rules, no waiting for a node to boot (the
 * containers run `sleep`).
 */
import type Docker from 'dockerode';
import * as tarStream from 'tar-stream';
import type { ContainerSpec, NetworkSpec } from '../../src/orchestrator/docker/engine.js';
import { removeNetworkWhenFree } from '../../src/orchestrator/docker/dockerode.js';

export interface FloorLab {
  networks: NetworkSpec[];
  containers: ContainerSpec[];
}

function tar(files: NonNullable<ContainerSpec['files']>): NodeJS.ReadableStream {
  const pack = tarStream.pack();
  for (const f of files)
    pack.entry({ name: f.path.replace(/^\//, ''), mode: f.mode ?? 0o644 }, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

async function createNetwork(docker: Docker, n: NetworkSpec): Promise<string> {
  const net = await docker.createNetwork({
    Name: n.name,
    Driver: 'bridge',
    Internal: true,
    CheckDuplicate: true,
    EnableIPv6: false,
    Attachable: false,
    IPAM: { Driver: 'default', Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Options: {
      'com.docker.network.bridge.name': n.bridgeName,
      'com.docker.network.driver.mtu': String(n.mtu),
      'com.docker.network.bridge.enable_ip_masquerade': 'false',
    },
    Labels: n.labels,
  });
  return net.id;
}

async function createAndStart(docker: Docker, s: ContainerSpec): Promise<string> {
  const [first, ...rest] = s.endpoints;
  const c = await docker.createContainer({
    name: s.name,
    Hostname: s.hostname,
    Image: s.image,
    Cmd: ['sleep', 'infinity'],
    Env: Object.entries(s.env).map(([k, v]) => `${k}=${v}`),
    Labels: s.labels,
    StopTimeout: s.stopTimeoutSeconds ?? 2,
    HostConfig: {
      NetworkMode: first ? first.network : 'none',
      CapAdd: s.capAdd,
      Devices: s.devices.map((d) => ({ PathOnHost: d, PathInContainer: d, CgroupPermissions: 'rwm' })),
      Sysctls: s.sysctls,
    },
    NetworkingConfig: first ? { EndpointsConfig: { [first.network]: { IPAMConfig: { IPv4Address: first.ipv4 } } } } : undefined,
  });
  for (const ep of rest) await docker.getNetwork(ep.network).connect({ Container: c.id, EndpointConfig: { IPAMConfig: { IPv4Address: ep.ipv4 } } });
  if (s.files?.length) await c.putArchive(tar(s.files), { path: '/' });
  await c.start();
  return c.id;
}

/** Create and start everything; the ids to remove. */
export async function floorUp(docker: Docker, lab: FloorLab): Promise<{ networks: string[]; containers: string[] }> {
  const networks = await Promise.all(lab.networks.map((n) => createNetwork(docker, n)));
  const containers = await Promise.all(lab.containers.map((s) => createAndStart(docker, s)));
  return { networks, containers };
}

/**
 * Remove what floorUp made; the networks Docker would not remove, with its
 * reason. As testbed's own down, a network whose endpoints Docker has not let
 * go yet is asked again for 5 s; Docker 20.10 sometimes keeps a stale
 * endpoint for good (until dockerd restarts), and the bench goes on without
 * that network rather than losing its report.
 */
export async function floorDown(docker: Docker, ids: { networks: string[]; containers: string[] }): Promise<string[]> {
  await Promise.all(ids.containers.map((id) => docker.getContainer(id).remove({ force: true, v: true })));
  const kept = await Promise.all(
    ids.networks.map((id) =>
      removeNetworkWhenFree(docker, id).then(
        () => null,
        (e: unknown) => {
          if (!/active endpoints/.test(String((e as Error).message))) throw e;
          return `${id.slice(0, 12)}: ${(e as Error).message.trim()}`;
        },
      ),
    ),
  );
  return kept.filter((k): k is string => k !== null);
}
