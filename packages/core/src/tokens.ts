/**
 * The DI tokens of d2ue, in one place.
 *
 * Every plug-in registers under `<kind>:<id>` (for example `backbone:AE`, `repulsion:rar`, `scorer:dsu`), and the
 * host resolves by that string only, so it knows no plug-in by name.
 */

/** The kinds of plug-in a package may register. */
export const PLUGIN_KINDS = ['backbone', 'repulsion', 'scorer', 'dataset', 'loader', 'command'] as const;

/** One of {@link PLUGIN_KINDS}. */
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The token a plug-in of `kind` with `id` is registered under, e.g. `pluginToken('scorer', 'dsu')` is `scorer:dsu`. */
export function pluginToken(kind: PluginKind, id: string): string {
  return `${kind}:${id}`;
}
