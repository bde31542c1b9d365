/**
 * The DI tokens of d2ue, in one place.
 *
 * Every plug-in registers under `<kind>:<id>` (for example `backbone:AE`, `repulsion:rar`, `scorer:dsu`), and the
 * host resolves by that string only, so its code names no plug-in.
 */

/** The kinds of plug-in a package may register. */
export const PLUGIN_KINDS = ['backbone', 'repulsion', 'scorer', 'dataset', 'loader', 'command'] as const;

/** One of {@link PLUGIN_KINDS}. */
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** Returns the token a plug-in of `kind` with `id` is registered under: `pluginToken('scorer', 'dsu')` is `scorer:dsu`. */
export function pluginToken(kind: PluginKind, id: string): string {
  return `${kind}:${id}`;
}
