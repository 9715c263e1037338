import { PRESETS } from './presets.js';

/**
 * Hints for whoever runs the server when a channel is disabled: which variable to set for a required
 * argument left empty, and how to fix what disabled the channel (the start-up warning's `fix`).
 */

/** For a required argument the preset fills from an optional variable left unset: which one to set. */
export function variableHint(preset: string | null, problem: string): string {
  const arg = /^missing required argument "([^"]+)"$/.exec(problem)?.[1];
  const p = preset ? PRESETS[preset] : undefined;
  const v =
    arg && typeof p?.arguments[arg] === 'string' ? /\$\{([A-Za-z_0-9]+)\}/.exec(p.arguments[arg])?.[1] : undefined;
  const spec = v ? p?.variables?.[v] : undefined;
  return v && spec ? ` (set ${v}: ${spec.describe})` : '';
}

/** How to fix what disabled a channel, for the start-up warning. */
export const FIX = {
  config:
    "set the variable it names (in mcp.json's mcpServers.<server>.env or this server's environment), " +
    "or fix the channel's profile in mcp.json",
  tool:
    "the server's tools changed or the preset is for another server: " +
    'set "tool" in the channel\'s profile to one it has, or pick another preset',
  drift:
    'override the arguments it names in the channel\'s "arguments" (null removes one), ' +
    'or update the server package to the version the preset was proven against',
  reach: "check the server's command / url in mcp.json and that it starts by itself (run the command in a shell)",
};

export function fixFor(detail: string): string {
  if (/has no tool/.test(detail)) return FIX.tool;
  if (/drifted/.test(detail)) return FIX.drift;
  if (/cannot reach/.test(detail)) return FIX.reach;
  return FIX.config;
}
