/**
 * Load one of the image's native modules (images/router2600/addon/) by its
 * absolute path, once per path. process.dlopen is what require() does for a
 * `.node` file; calling it directly works the same in an ES module, in the
 * router's CommonJS bundle (src/agent/io/code-cache.ts) and in the tests.
 */
const loaded = new Map<string, unknown>();

export function loadAddon<T>(path: string): T {
  const known = loaded.get(path);
  if (known !== undefined) return known as T;
  const module = { exports: {} as unknown };
  process.dlopen(module, path);
  loaded.set(path, module.exports);
  return module.exports as T;
}
