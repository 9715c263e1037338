/**
 * Shared machinery of the bundled sandbox downstream MCP servers (whatsapp, email, calendar): the
 * fault-injection knobs (config.ts, where they are documented), the send pipeline and its record
 * (runtime.ts) and the server kit (server-kit.ts).
 */
export * from './config.js';
export * from './runtime.js';
export * from './server-kit.js';
