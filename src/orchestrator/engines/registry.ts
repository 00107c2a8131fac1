/**
 * A registry the engines of a swarm may pull the lab image from
 * (TESTBED_REGISTRY=HOST[:PORT][/PATH]), and the plan of which engine gets
 * the image how. Pure: the pushing and pulling is in images.ts.
 *
 * The grammar is Docker's (github.com/distribution/reference,
 * reference.go): a domain is dot-separated components of letters, digits
 * and inner hyphens (or an IPv6 address in brackets), with an optional
 * port; path components are lower-case letters and digits, joined by one
 * `.`, one or two `_`, or any number of `-`. Docker takes a name's first
 * component for a registry only when it has a `.` or a `:`, or is
 * `localhost`; any other name is a repository on Docker Hub, so such a
 * registry is refused here rather than sent to docker.io.
 */

export class RegistryError extends Error {
  override name = 'RegistryError';
}

export interface Registry {
  /** HOST[:PORT], as given. */
  host: string;
  /** A path under the registry (no leading or trailing slash), '' for none. */
  path: string;
}

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

const USAGE = 'expected HOST[:PORT][/PATH], e.g. 127.0.0.1:5000 or registry.example.com/lab';

/** Parse TESTBED_REGISTRY (`where` names the setting in errors). */
export function parseRegistry(text: string, where = 'TESTBED_REGISTRY'): Registry {
  const bad = (why: string): never => {
    throw new RegistryError(`${where}="${text}": ${why}; ${USAGE}`);
  };
  if (text.trim() === '') bad('empty');
  if (text !== text.trim()) bad('leading or trailing spaces');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) bad('no scheme: Docker chooses https, or http for an insecure registry');
  if (text.includes('@')) bad('no credentials or digest (log in with `docker login` on each engine)');
  if (text.endsWith('/')) bad('no trailing slash');
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const path = slash < 0 ? '' : text.slice(slash + 1);
  let domain = host;
  let port: string | null = null;
  const v6 = /^(\[[0-9a-fA-F:.%]+\])(?::(.*))?$/.exec(host);
  if (v6) {
    domain = v6[1]!;
    port = v6[2] ?? null;
  } else if (host.includes(':')) {
    const colon = host.lastIndexOf(':');
    domain = host.slice(0, colon);
    port = host.slice(colon + 1);
  }
  if (!v6) {
    if (domain === '') bad('no host');
    for (const c of domain.split('.')) if (!DOMAIN_COMPONENT.test(c)) bad(`"${domain}" is not a host name or IPv4 address`);
  }
  if (port !== null && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) bad(`"${port}" is not a port (1-65535)`);
  if (!v6 && port === null && !domain.includes('.') && domain !== 'localhost')
    bad(`Docker would take "${domain}" for a repository on Docker Hub, not a registry: give a port, a dotted name or localhost`);
  if (path !== '') {
    for (const c of path.split('/')) {
      if (!PATH_COMPONENT.test(c)) bad(`"${c}" is not a repository path component (lower-case letters, digits, separated by . _ __ or -)`);
    }
  }
  return { host, path };
}

/** An image name split as Docker splits it: registry (if the first component is one), repository path, tag. */
export function splitImageName(name: string): { registry: string | null; repository: string; tag: string } {
  if (name.includes('@')) throw new RegistryError(`${name}: an image by digest cannot be pushed under another name; give it a tag`);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const registry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : null;
  const rest = registry ? name.slice(slash + 1) : name;
  const colon = rest.lastIndexOf(':');
  const repository = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? 'latest' : rest.slice(colon + 1);
  if (repository === '' || !repository.split('/').every((c) => PATH_COMPONENT.test(c))) throw new RegistryError(`"${name}" is not an image name`);
  if (!TAG.test(tag)) throw new RegistryError(`"${name}": "${tag}" is not a tag`);
  return { registry, repository, tag };
}

/** The name of `image` in `registry`: HOST[:PORT][/PATH]/<repository>:<tag> (the image's own registry, if any, dropped). */
export function registryName(registry: Registry, image: string): { repository: string; tag: string; name: string } {
  const { repository, tag } = splitImageName(image);
  const repo = [registry.host, registry.path, repository].filter((p) => p !== '').join('/');
  return { repository: repo, tag, name: `${repo}:${tag}` };
}

/** What each member engine needs: nothing (it has the tag), a pull from the registry, or a load from the builder. */
export interface CopyPlan {
  present: string[];
  pull: string[];
  load: string[];
}

/** The plan for members (in order) that do or do not have the image; with no registry, every member lacking it loads. */
export function planCopy(members: readonly { name: string; has: boolean }[], registry: Registry | null): CopyPlan {
  const plan: CopyPlan = { present: [], pull: [], load: [] };
  for (const m of members) {
    if (m.has) plan.present.push(m.name);
    else if (registry) plan.pull.push(m.name);
    else plan.load.push(m.name);
  }
  return plan;
}
