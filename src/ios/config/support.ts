/**
 * The support table: every configuration command the router accepts is in it,
 * once, with its class (emulated, cosmetic, accepted but not emulated) and a
 * one-line reason. The grammars are built from it: a handler can only be
 * registered for a command the table lists, and the commands kept verbatim are
 * registered from the table itself, so no line is accepted unclassified.
 * docs/ios-support.md is generated from this table.
 */
import { GLOBAL_SUPPORT } from './support-global.js';
import { MODE_SUPPORT } from './support-modes.js';
import { ROUTER_MODE_SUPPORT } from './support-routing.js';
import { parseCommand, type SupportEntry, type SupportMode } from './support-types.js';

export type { BlockKind, SupportClass, SupportEntry, SupportMode } from './support-types.js';
export { parseCommand } from './support-types.js';

export const SUPPORT_TABLE: readonly SupportEntry[] = [...GLOBAL_SUPPORT, ...MODE_SUPPORT, ...ROUTER_MODE_SUPPORT];

function key(mode: SupportMode, path: string, variant: string | null): string {
  return `${mode}|${path}|${variant ?? ''}`;
}

const BY_KEY = new Map<string, SupportEntry>();
for (const entry of SUPPORT_TABLE) {
  const { path, variant } = parseCommand(entry.command);
  const k = key(entry.mode, path, variant);
  if (BY_KEY.has(k)) throw new Error(`support table: "${entry.command}" (${entry.mode}) is listed twice`);
  BY_KEY.set(k, entry);
}

/** The row for a command parsed by a handler (`variant` as the handler reported it). */
export function modelEntry(mode: SupportMode, path: string, variant: string | null = null): SupportEntry {
  const entry = BY_KEY.get(key(mode, path, variant));
  if (!entry || !entry.model) {
    throw new Error(`support table: no model row for "${path}${variant ? ` (${variant})` : ''}" in ${mode} mode`);
  }
  return entry;
}

/** The rows of a mode whose lines are kept verbatim (registered from the table). */
export function keptEntries(mode: SupportMode): SupportEntry[] {
  return SUPPORT_TABLE.filter((e) => e.mode === mode && !e.model);
}

/** The rows of a mode parsed by handlers, without their variants (each needs a handler). */
export function modelPaths(mode: SupportMode): string[] {
  return SUPPORT_TABLE.filter((e) => e.mode === mode && e.model && parseCommand(e.command).variant === null).map((e) => e.command);
}
