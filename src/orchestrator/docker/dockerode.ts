/** `Engine` on top of dockerode (Docker Engine API 1.41 and later). */
import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Docker from 'dockerode';
import { pack } from 'tar-fs';
import * as tarStream from 'tar-stream';
import {
  DockerError,
  DockerUnavailableError,
  type BuildProgress,
  type ContainerInfo,
  type ContainerSpec,
  type Engine,
  type ExecOptions,
  type ExecResult,
  type ImageInfo,
  type Labels,
  type NetworkInfo,
  type NetworkSpec,
  type OutputStream,
} from './engine.js';

function labelFilter(labels: Labels): string[] {
  return Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}

function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 404;
}

function describe(e: unknown): string {
  const err = e as { json?: { message?: string }; message?: string };
  return err.json?.message ?? err.message ?? String(e);
}

export class DockerodeEngine implements Engine {
  readonly docker: Docker;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker();
  }

  /** A daemon on a unix socket runs on this machine (DOCKER_HOST=tcp:// or ssh:// does not). */
  get sharesHostFiles(): boolean {
    return Boolean((this.docker.modem as { socketPath?: unknown }).socketPath);
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
      throw new DockerUnavailableError(
        `cannot reach the Docker daemon at ${where}: ${describe(e)}. Is Docker installed and running (sudo systemctl start docker, or dockerd &), and may this user use it (docker group)?`,
        e,
      );
    }
  }

  async serverVersion(): Promise<{ version: string; apiVersion: string }> {
    const v = await this.docker.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  async listNetworks(labels: Labels): Promise<NetworkInfo[]> {
    const nets = await this.docker.listNetworks({ filters: { label: labelFilter(labels) } });
    return nets.map((n) => ({
      id: n.Id,
      name: n.Name,
      labels: n.Labels ?? {},
      subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s),
      bridgeName: n.Options?.['com.docker.network.bridge.name'] ?? null,
      driver: n.Driver,
    }));
  }

  async allSubnets(): Promise<string[]> {
    const nets = await this.docker.listNetworks();
    return nets.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s));
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    if (spec.driver === 'overlay') return this.createOverlay(spec);
    try {
      const net = await this.docker.createNetwork({
        Name: spec.name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        EnableIPv6: false,
        Attachable: false,
        IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] },
        Options: {
          'com.docker.network.bridge.name': spec.bridgeName,
          'com.docker.network.driver.mtu': String(spec.mtu),
          'com.docker.network.bridge.enable_ip_masquerade': 'false',
        },
        Labels: spec.labels,
      });
      return net.id;
    } catch (e) {
      throw new DockerError(`cannot create network ${spec.name} (${spec.subnet}): ${describe(e)}`, e);
    }
  }

  /** An attachable --internal overlay (on a swarm manager); its MTU option is the underlay's, 50 bytes of VXLAN above the link's. */
  private async createOverlay(spec: NetworkSpec): Promise<string> {
    try {
      const net = await this.docker.createNetwork({
        Name: spec.name,
        Driver: 'overlay',
        Internal: true,
        Attachable: true,
        CheckDuplicate: true,
        EnableIPv6: false,
        IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway, ...(spec.ipRange ? { IPRange: spec.ipRange } : {}) }] },
        Options: { 'com.docker.network.driver.mtu': String(spec.mtu + 50) },
        Labels: spec.labels,
      });
      return net.id;
    } catch (e) {
      throw new DockerError(`cannot create overlay network ${spec.name} (${spec.subnet}): ${describe(e)}`, e);
    }
  }

  async removeNetwork(idOrName: string): Promise<void> {
    try {
      await removeNetworkWhenFree(this.docker, idOrName);
    } catch (e) {
      if (!isNotFound(e)) throw new DockerError(`cannot remove network ${idOrName}: ${describe(e)}`, e);
    }
  }

  async connectNetwork(network: string, containerId: string, ipv4: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: { IPAMConfig: { IPv4Address: ipv4 } } });
    } catch (e) {
      throw new DockerError(`cannot connect ${containerId.slice(0, 12)} to ${network} as ${ipv4}: ${describe(e)}`, e);
    }
  }

  async disconnectNetwork(network: string, containerId: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).disconnect({ Container: containerId, Force: true });
    } catch (e) {
      throw new DockerError(`cannot disconnect ${containerId.slice(0, 12)} from ${network}: ${describe(e)}`, e);
    }
  }

  async containerMacs(id: string): Promise<Record<string, string>> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (e) {
      throw new DockerError(`cannot inspect container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
    const out: Record<string, string> = {};
    for (const [name, net] of Object.entries(info.NetworkSettings?.Networks ?? {})) if (net.MacAddress) out[name] = net.MacAddress.toLowerCase();
    return out;
  }

  async containerAddresses(id: string): Promise<Record<string, string>> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (e) {
      throw new DockerError(`cannot inspect container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
    const out: Record<string, string> = {};
    for (const [name, net] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
      const ip = net.IPAddress || net.IPAMConfig?.IPv4Address;
      if (ip) out[name] = ip;
    }
    return out;
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
    return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), labels: c.Labels ?? {}, state: c.State, image: c.Image }));
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const [first, ...rest] = spec.endpoints;
    const networkMode = spec.hostNetwork ? 'host' : spec.networkContainer ? `container:${spec.networkContainer}` : first ? first.network : 'none';
    const ownNetwork = !spec.hostNetwork && !spec.networkContainer;
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name: spec.name,
        Hostname: spec.networkContainer ? undefined : spec.hostname,
        Image: spec.image,
        Cmd: spec.cmd,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        StopTimeout: spec.stopTimeoutSeconds ?? 2,
        HostConfig: {
          NetworkMode: networkMode,
          CapAdd: spec.capAdd,
          Devices: spec.devices.map((d) => ({ PathOnHost: d, PathInContainer: d, CgroupPermissions: 'rwm' })),
          Sysctls: ownNetwork ? spec.sysctls : undefined,
          Binds: Object.entries(spec.binds ?? {}).map(([h, c]) => `${h}:${c}`),
        },
        NetworkingConfig: first && ownNetwork ? { EndpointsConfig: { [first.network]: { IPAMConfig: { IPv4Address: first.ipv4 } } } } : undefined,
      });
    } catch (e) {
      throw new DockerError(`cannot create container ${spec.name}: ${describe(e)}`, e);
    }
    try {
      for (const ep of rest) {
        await this.docker.getNetwork(ep.network).connect({ Container: container.id, EndpointConfig: { IPAMConfig: { IPv4Address: ep.ipv4 } } });
      }
      if (spec.files?.length) await this.putFiles(container.id, spec.files);
    } catch (e) {
      await container.remove({ force: true }).catch(() => undefined);
      throw new DockerError(`cannot prepare container ${spec.name}: ${describe(e)}`, e);
    }
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 304) return;
      throw new DockerError(`cannot start container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutSeconds });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code !== 304 && code !== 404) throw new DockerError(`cannot stop container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
  }

  async restartContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).restart({ t: timeoutSeconds });
    } catch (e) {
      throw new DockerError(`cannot restart container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      // 409: removal already in progress
      if (code !== 404 && code !== 409) throw new DockerError(`cannot remove container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
  }

  async killContainer(id: string, signal: string): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 409) throw new DockerError(`cannot signal container ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
  }

  async followLogs(id: string, onText: (text: string) => void, since = 0): Promise<() => void> {
    const stream = (await this.docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true, since })) as unknown as Readable;
    const out = new PassThrough();
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => onText(chunk));
    this.docker.modem.demuxStream(stream, out, out);
    stream.on('error', () => undefined);
    return () => {
      (stream as Readable & { destroy(): void }).destroy();
      out.destroy();
    };
  }

  async logs(id: string): Promise<string> {
    const buf = (await this.docker.getContainer(id).logs({ follow: false, stdout: true, stderr: true })) as unknown as Buffer;
    return demuxBuffer(buf);
  }

  async exec(id: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const container = this.docker.getContainer(id);
    let exec: Docker.Exec;
    try {
      exec = await container.exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: opts.stdin !== undefined,
        Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      });
    } catch (e) {
      throw new DockerError(`cannot run ${JSON.stringify(cmd.join(' '))} in ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
    const stream = (await exec.start({ hijack: true, stdin: opts.stdin !== undefined })) as unknown as NodeJS.ReadWriteStream & Readable;
    // Docker multiplexes both streams into one (8-byte frame headers); each piece is kept, and handed on as it comes
    const collected: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
    const decoders: Record<OutputStream, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const sink = (name: OutputStream) => {
      const pass = new PassThrough();
      pass.on('data', (c: Buffer) => {
        collected[name].push(c);
        const text = opts.onOutput ? decoders[name].write(c) : '';
        if (text) opts.onOutput!(name, text);
      });
      return pass;
    };
    this.docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));
    if (opts.stdin !== undefined) {
      stream.write(opts.stdin);
      // half-close so the process sees EOF on stdin
      (stream as unknown as { end(): void }).end();
    }
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          stream.destroy();
          reject(new DockerError(`${JSON.stringify(cmd.join(' '))} did not finish within ${opts.timeoutMs} ms`));
        }, opts.timeoutMs);
      }
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(new DockerError(`exec stream failed: ${describe(e)}`, e));
      });
    });
    const info = await exec.inspect();
    for (const name of ['stdout', 'stderr'] as const) {
      const rest = opts.onOutput ? decoders[name].end() : '';
      if (rest) opts.onOutput!(name, rest);
    }
    return {
      exitCode: info.ExitCode ?? -1,
      stdout: Buffer.concat(collected.stdout).toString('utf8'),
      stderr: Buffer.concat(collected.stderr).toString('utf8'),
    };
  }

  async putFiles(id: string, files: { path: string; content: string | Buffer; mode?: number }[]): Promise<void> {
    const archive = tarStream.pack();
    for (const f of files) {
      archive.entry({ name: f.path.replace(/^\//, ''), mode: f.mode ?? 0o644 }, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
    }
    archive.finalize();
    await this.docker.getContainer(id).putArchive(archive as unknown as NodeJS.ReadableStream, { path: '/' });
  }

  async readFile(id: string, path: string): Promise<Buffer> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getContainer(id).getArchive({ path });
    } catch (e) {
      throw new DockerError(`cannot read ${path} from ${id.slice(0, 12)}: ${describe(e)}`, e);
    }
    return new Promise<Buffer>((resolve, reject) => {
      const extract = tarStream.extract();
      let result: Buffer | undefined;
      extract.on('entry', (_header, entry, next) => {
        const chunks: Buffer[] = [];
        entry.on('data', (c: unknown) => void chunks.push(c as Buffer));
        entry.on('end', () => {
          result ??= Buffer.concat(chunks);
          next();
        });
        entry.resume();
      });
      extract.on('finish', () => (result ? resolve(result) : reject(new DockerError(`${path}: empty archive`))));
      extract.on('error', reject);
      stream.pipe(extract);
    });
  }

  async imageExists(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw new DockerError(`cannot inspect image ${tag}: ${describe(e)}`, e);
    }
  }

  async buildImage(contextDir: string, tag: string, buildArgs: Record<string, string>, labels: Labels, progress: BuildProgress): Promise<void> {
    const context = pack(contextDir);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tag, buildargs: buildArgs, labels, rm: true, forcerm: true });
    } catch (e) {
      throw new DockerError(`cannot build ${tag}: ${describe(e)}`, e);
    }
    await this.follow(stream, `building ${tag}`, progress);
  }

  async importImage(rootfsTar: Readable, tag: string, progress: BuildProgress): Promise<void> {
    const [repo, version] = splitTag(tag);
    const stream = await this.docker.importImage(rootfsTar as unknown as NodeJS.ReadableStream, { repo, tag: version });
    await this.follow(stream, `importing ${tag}`, progress);
  }

  async pullImage(ref: string, progress: BuildProgress): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(ref);
    } catch (e) {
      throw new DockerError(`cannot pull ${ref}: ${describe(e)}`, e);
    }
    await this.follow(stream, `pulling ${ref}`, progress);
  }

  async removeImage(tag: string): Promise<void> {
    try {
      // not forced: Docker refuses an image a container uses or another image is built on
      await this.docker.getImage(tag).remove();
    } catch (e) {
      if (!isNotFound(e)) throw new DockerError(`cannot remove image ${tag}: ${describe(e)}`, e);
    }
  }

  async listImages(): Promise<ImageInfo[]> {
    try {
      const list = await this.docker.listImages({ all: true });
      return list.map((i) => ({
        id: i.Id,
        parentId: i.ParentId ?? '',
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        created: i.Created,
        size: i.Size,
      }));
    } catch (e) {
      throw new DockerError(`cannot list images: ${describe(e)}`, e);
    }
  }

  private follow(stream: NodeJS.ReadableStream, what: string, progress: BuildProgress): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failed = err ?? events.find((ev) => ev.error || ev.errorDetail);
          if (failed) {
            const message = failed instanceof Error ? failed.message : (failed.errorDetail?.message ?? failed.error);
            reject(new DockerError(`${what} failed: ${message}`));
          } else resolve();
        },
        (ev: { stream?: string; status?: string; progress?: string }) => {
          const line = (ev.stream ?? ev.status ?? '').trim();
          if (line) progress(line);
        },
      );
    });
  }
}

function splitTag(tag: string): [string, string] {
  const i = tag.lastIndexOf(':');
  return i > tag.lastIndexOf('/') ? [tag.slice(0, i), tag.slice(i + 1)] : [tag, 'latest'];
}

/** Docker's multiplexed log format: 8-byte frame headers (stream, 0, 0, 0, size32). */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const type = buf[off]!;
    const size = buf.readUInt32BE(off + 4);
    if (type > 2 || buf[off + 1] !== 0 || off + 8 + size > buf.length) return buf.toString('utf8');
    parts.push(buf.subarray(off + 8, off + 8 + size));
    off += 8 + size;
  }
  return off === buf.length ? Buffer.concat(parts).toString('utf8') : buf.toString('utf8');
}

/**
 * Remove a network. On a loaded engine a removed container's endpoint can
 * outlive the container for a moment, and Docker refuses with "has active
 * endpoints": ask again, up to 20 times 250 ms apart (bench:scale saw it at
 * 100 spokes on two cores).
 */
export async function removeNetworkWhenFree(docker: Docker, idOrName: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await docker.getNetwork(idOrName).remove();
      return;
    } catch (e) {
      if (attempt >= 20 || !/active endpoints/.test(describe(e))) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
