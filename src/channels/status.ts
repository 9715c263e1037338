import type { Config } from '../config.js';
import type { ChannelStatus } from '../deps.js';
import { loadMcpConfig, type ChannelName } from './config.js';
import { PRESETS } from './presets.js';

const CHANNELS: ChannelName[] = ['whatsapp', 'email', 'calendar'];

/** What mcp.json configures for each channel (no connection is made here). */
export function channelStatuses(config: Config): ChannelStatus[] {
  let mcp;
  try {
    mcp = loadMcpConfig(config.mcpConfigPath, mcpVars(config));
  } catch (err) {
    return CHANNELS.map((channel) => ({
      channel,
      server: null,
      preset: null,
      transport: null,
      state: 'config_error',
      detail: (err as Error).message,
    }));
  }
  return CHANNELS.map((channel) => {
    const profile = mcp.channels[channel];
    if (!profile)
      return { channel, server: null, preset: null, transport: null, state: 'not_configured', detail: null };
    const server = mcp.mcpServers[profile.server];
    const proof = profile.preset ? (PRESETS[profile.preset]?.proof ?? null) : null;
    return {
      preset_proof: proof?.status ?? null,
      preset_proof_detail: proof ? (proof.status === 'proven' ? proof.against : proof.reason) : null,
      channel,
      server: profile.server,
      preset: profile.preset ?? null,
      transport: 'url' in server ? 'http' : 'stdio',
      state: 'configured',
      detail: null,
    };
  });
}

/** Variables mcp.json may use besides the environment. */
export function mcpVars(config: Config): Record<string, string | undefined> {
  return { ...process.env, AGENTE_HOME: config.packageRoot, AGENTE_DATA_DIR: config.dataDir };
}
