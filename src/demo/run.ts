import type { McpSession } from './session.js';

/** One run of the demo: where its data lives, and the session open now (closed on failure). */
export interface DemoRun {
  mainScript: string;
  dataDir: string;
  inbox: string;
  sheet: string;
  serverLog: string;
  session: McpSession | null;
}
