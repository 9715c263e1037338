/**
 * Interop with a real third-party calendar MCP server, offline: caldav-mcp (stdio) against Radicale
 * (CalDAV on 127.0.0.1, random port, no auth, storage in a temp dir). Proves that the 'caldav-mcp'
 * preset fits the server's live tools/list, that call('calendar', ...) creates the event in Radicale
 * and returns its UID, and shows cancel (delete-event) and move (update-event) through the pool.
 *
 * Needs Radicale for Debian's /usr/bin/python3 (.ci/interop-setup.sh) and the devDependency
 * caldav-mcp (npm ci). Never skipped: anything missing fails with a message saying how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpCalendar } from '../../src/channels/calendar.js';
import { McpChannelClient } from '../../src/channels/channel-client.js';
import type { McpConfig } from '../../src/channels/config.js';
import { McpClientPool } from '../../src/channels/pool.js';
import { silentLogger } from '../../src/core/ports.js';
import { openTestDb } from '../helpers/db.js';
import { insertLead } from '../helpers/fixtures.js';
import { connectClient, fixedClock, makeDeps, textOf as resultText } from '../helpers/server.js';
import { tempDir } from '../helpers/spawn.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SETUP_HINT =
  'install the interop test dependencies: `.ci/interop-setup.sh` (Radicale via apt) and `npm ci` (devDependencies)';
// Debian's python has the apt-installed radicale; a pyenv python3 earlier on PATH does not.
const PYTHON = '/usr/bin/python3';
const SERVER = 'caldav';
const USER = 'agente';
const AUTH = `Basic ${Buffer.from(`${USER}:any-password`).toString('base64')}`;

function packageBin(name: string): string {
  const pkgJson = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(pkgJson)) throw new Error(`${name} is not installed in ${ROOT}/node_modules: ${SETUP_HINT}`);
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: string | Record<string, string> };
  const rel =
    typeof pkg.bin === 'string'
      ? pkg.bin
      : pkg.bin
        ? (pkg.bin[name.split('/').pop()!] ?? Object.values(pkg.bin)[0])
        : undefined;
  if (!rel) throw new Error(`${name} has no bin entry in its package.json`);
  const bin = join(dirname(pkgJson), rel);
  if (!existsSync(bin)) throw new Error(`${name}'s bin ${bin} is missing: ${SETUP_HINT}`);
  return bin;
}

function requireRadicale(): void {
  const r = spawnSync(PYTHON, ['-c', 'import radicale'], { encoding: 'utf8', timeout: 15_000 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `Radicale is not importable by ${PYTHON} (${r.error?.message ?? r.stderr.trim().split('\n').pop()}): ${SETUP_HINT}`,
    );
  }
}

interface Radicale {
  child: ChildProcess;
  base: string;
  log: () => string;
}

/** Starts Radicale on 127.0.0.1:0 and reads the port it bound from its log (no port race). */
async function startRadicale(dir: string): Promise<Radicale> {
  const config = join(dir, 'radicale.conf');
  writeFileSync(
    config,
    [
      '[server]',
      'hosts = 127.0.0.1:0',
      '[auth]',
      'type = none',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${join(dir, 'collections')}`,
      '[logging]',
      'level = info',
      '',
    ].join('\n'),
  );
  // --config replaces the default search path, so /etc/radicale/config plays no part.
  const child = spawn(PYTHON, ['-m', 'radicale', '--config', config], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const onData = (d: Buffer) => {
    if (log.length < 200_000) log += d.toString();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`Radicale did not report a listening port within 15 s; log:\n${log}`)),
      15_000,
    );
    const check = () => {
      const m = /Listening on\W*\[?127\.0\.0\.1\]?:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`Radicale exited with ${code} before listening; log:\n${log}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(new Error(`cannot spawn ${PYTHON} -m radicale (${err.message}): ${SETUP_HINT}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/`, { method: 'OPTIONS', signal: AbortSignal.timeout(2_000) });
      if (r.status < 500) break;
    } catch {
      // not accepting yet
    }
    if (Date.now() > until) throw new Error(`Radicale at ${base} did not answer within 10 s; log:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, base, log: () => log };
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 5_000));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
  }
}

async function dav(
  url: string,
  method: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const r = await fetch(url, {
    method,
    body: init.body,
    headers: { Authorization: AUTH, ...init.headers },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, text: await r.text() };
}

/** iCalendar text with folded lines joined (RFC 5545 §3.1). */
const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');
const prop = (ics: string, name: string) =>
  new RegExp(`^${name}(?:;[^:\\r\\n]*)?:(.*?)\\r?$`, 'm').exec(unfold(ics))?.[1] ?? null;
// RFC 5545 TEXT escaping of the values we use.
const icsText = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');

/** PIDs of the stdio servers a pool spawned (read from its connections; empty if that shape changes). */
async function poolPids(pool: McpClientPool): Promise<number[]> {
  const conns = (
    pool as unknown as { connections?: Map<string, Promise<{ client: { transport?: { pid?: number | null } } }>> }
  ).connections;
  if (!conns) return [];
  const pids: number[] = [];
  for (const c of conns.values()) {
    const pid = await c.then(
      (x) => x.client.transport?.pid,
      () => undefined,
    );
    if (pid) pids.push(pid);
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function closePool(pool: McpClientPool | undefined): Promise<void> {
  if (!pool) return;
  const pids = await poolPids(pool);
  await Promise.race([pool.close(), new Promise((r) => setTimeout(r, 5_000))]);
  const until = Date.now() + 3_000;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

const textOf = (r: { content?: unknown }) =>
  ((r.content ?? []) as Array<{ type: string; text?: string }>)
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

describe('interop: caldav-mcp (stdio) → Radicale CalDAV on loopback', () => {
  let radicale: Radicale | undefined;
  let pool: McpClientPool | undefined;
  let dir: string;
  let servers: McpConfig['mcpServers'];
  let calendarUrl: string;
  let env: Record<string, string>;
  let uid: string;

  beforeAll(async () => {
    requireRadicale();
    const entry = packageBin('caldav-mcp');
    dir = tempDir('interop-caldav-');
    radicale = await startRadicale(dir);
    // Radicale creates the principal collection on first access but no calendar: make one first,
    // because caldav-mcp lists calendars at start-up (and exits if the server is unreachable).
    calendarUrl = `${radicale.base}/${USER}/agenda/`;
    const mk = await dav(calendarUrl, 'MKCALENDAR', {
      headers: { 'Content-Type': 'application/xml; charset=utf-8' },
      body:
        '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
        '<D:set><D:prop><D:displayname>Agenda</D:displayname></D:prop></D:set></C:mkcalendar>',
    });
    expect(mk.status, mk.text).toBe(201);
    servers = {
      [SERVER]: {
        command: process.execPath,
        args: [entry],
        env: {
          CALDAV_BASE_URL: `${radicale.base}/`,
          CALDAV_USERNAME: USER,
          CALDAV_PASSWORD: 'any-password',
          HOME: dir,
        },
      },
      // The same server pointed at a closed port: caldav-mcp exits at start-up.
      'caldav-down': {
        command: process.execPath,
        args: [entry],
        env: { CALDAV_BASE_URL: 'http://127.0.0.1:9/', CALDAV_USERNAME: USER, CALDAV_PASSWORD: 'x', HOME: dir },
      },
    };
    env = { CALDAV_CALENDAR_URL: calendarUrl };
    pool = new McpClientPool(servers, silentLogger);
  });

  afterAll(async () => {
    await closePool(pool);
    await stopProcess(radicale?.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const channelsFor = (server = SERVER) =>
    new McpChannelClient(
      { mcpServers: servers, channels: { calendar: { server, preset: 'caldav-mcp' } } },
      pool!,
      silentLogger,
      env,
    );

  it('tools/list: the event tools and their input fields', async () => {
    const tools = await pool!.tools(SERVER);
    const fields = (name: string) => {
      const t = tools.find((x) => x.name === name);
      expect(t, `tools: ${tools.map((x) => x.name).join(', ')}`).toBeDefined();
      const s = t!.inputSchema as { properties?: Record<string, unknown>; required?: string[] };
      return { properties: Object.keys(s.properties ?? {}).sort(), required: [...(s.required ?? [])].sort() };
    };
    expect(fields('create-event')).toEqual({
      properties: ['calendarUrl', 'description', 'end', 'location', 'recurrenceRule', 'start', 'summary', 'wholeDay'],
      required: ['calendarUrl', 'end', 'start', 'summary'],
    });
    expect(fields('update-event').required).toEqual(['calendarUrl', 'uid']);
    expect(fields('update-event').properties).toEqual(
      expect.arrayContaining(['summary', 'start', 'end', 'description', 'location']),
    );
    expect(fields('delete-event')).toEqual({ properties: ['calendarUrl', 'uid'], required: ['calendarUrl', 'uid'] });
    expect(fields('list-events')).toEqual({
      properties: ['calendarUrl', 'end', 'start'],
      required: ['calendarUrl', 'end', 'start'],
    });
    const cals = await pool!.call(SERVER, 'list-calendars', {}, { timeoutMs: 15_000 });
    expect(textOf(cals)).toContain(`/${USER}/agenda/`);
  });

  it('verify(): the caldav-mcp preset fits the live create-event schema', async () => {
    const channels = channelsFor();
    await channels.verify();
    const cal = channels.status().find((s) => s.channel === 'calendar')!;
    expect(cal, JSON.stringify(cal)).toMatchObject({
      state: 'configured',
      server: SERVER,
      preset: 'caldav-mcp',
      transport: 'stdio',
      detail: `verified ${SERVER}/create-event + update, delete, list`,
    });
    expect(channels.isIdempotent('calendar')).toBe(false);
  });

  it("call('calendar'): the event exists in Radicale under the UID the channel returned", async () => {
    const channels = channelsFor();
    await channels.verify();
    const title = 'Reunião: Padaria Pão Quente, proposta';
    const out = await channels.call(
      'calendar',
      {
        to: 'maria@padaria.com.br',
        title,
        start: '2026-11-24T10:00:00-03:00',
        end: '2026-11-24T10:30:00-03:00',
        timeZone: 'America/Sao_Paulo',
        description: 'Apresentação da proposta; dúvidas sobre boletos',
        location: 'Rua das Flores, 123 - São Paulo',
        idempotencyKey: 'interop-calendar-0001',
      },
      { timeoutMs: 20_000 },
    );
    expect(out, JSON.stringify(out)).toMatchObject({ ok: true });
    if (!out.ok) throw new Error('unreachable');
    expect(out.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    uid = out.messageId!;

    // The object ts-caldav PUT (<calendar>/<uid>.ics) ...
    const obj = await dav(`${calendarUrl}${uid}.ics`, 'GET');
    expect(obj.status, obj.text).toBe(200);
    expect(prop(obj.text, 'UID')).toBe(uid);
    expect(prop(obj.text, 'SUMMARY')).toBe(icsText(title));
    expect(prop(obj.text, 'DESCRIPTION')).toBe(icsText('Apresentação da proposta; dúvidas sobre boletos'));
    expect(prop(obj.text, 'LOCATION')).toBe(icsText('Rua das Flores, 123 - São Paulo'));
    // 10:00 at -03:00 is 13:00 UTC: the |iso filter kept the instant.
    expect(prop(obj.text, 'DTSTART')).toBe('20261124T130000Z');
    expect(prop(obj.text, 'DTEND')).toBe('20261124T133000Z');

    // ... and the calendar's own listing (PROPFIND depth 1) and its whole-calendar export both show it.
    const listing = await dav(calendarUrl, 'PROPFIND', {
      headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
    });
    expect(listing.status).toBe(207);
    expect(listing.text).toContain(`/${USER}/agenda/${uid}.ics`);
    const whole = await dav(calendarUrl, 'GET');
    expect(whole.status).toBe(200);
    expect(unfold(whole.text)).toContain(`UID:${uid}`);

    // caldav-mcp's own list-events finds it in the window.
    const listed = await pool!.call(
      SERVER,
      'list-events',
      { calendarUrl, start: '2026-11-24T00:00:00Z', end: '2026-11-25T00:00:00Z' },
      { timeoutMs: 15_000 },
    );
    expect(listed.isError ?? false).toBe(false);
    expect(textOf(listed)).toContain(uid);
  });

  it('move: update-event (direct pool.call) changes start/end and keeps the UID', async () => {
    expect(uid, 'needs the event created by the previous test').toBeTruthy();
    const r = await pool!.call(
      SERVER,
      'update-event',
      {
        uid,
        calendarUrl,
        start: '2026-11-25T14:00:00-03:00',
        end: '2026-11-25T15:00:00-03:00',
        location: 'Videochamada',
      },
      { timeoutMs: 15_000 },
    );
    expect(r.isError ?? false, textOf(r)).toBe(false);
    expect(textOf(r).trim()).toBe(uid);
    const obj = await dav(`${calendarUrl}${uid}.ics`, 'GET');
    expect(obj.status).toBe(200);
    expect(prop(obj.text, 'DTSTART')).toBe('20261125T170000Z');
    expect(prop(obj.text, 'DTEND')).toBe('20261125T180000Z');
    expect(prop(obj.text, 'LOCATION')).toBe('Videochamada');
    expect(prop(obj.text, 'SUMMARY')).toBe(icsText('Reunião: Padaria Pão Quente, proposta'));
  });

  it('cancel: delete-event (direct pool.call) removes it from Radicale', async () => {
    expect(uid, 'needs the event created by an earlier test').toBeTruthy();
    const r = await pool!.call(SERVER, 'delete-event', { uid, calendarUrl }, { timeoutMs: 15_000 });
    expect(r.isError ?? false, textOf(r)).toBe(false);
    expect(textOf(r)).toBe('Event deleted');
    expect((await dav(`${calendarUrl}${uid}.ics`, 'GET')).status).toBe(404);
    const again = await pool!.call(SERVER, 'delete-event', { uid, calendarUrl }, { timeoutMs: 15_000 });
    expect(again.isError).toBe(true); // a second cancel is reported as an error, not silently accepted
  });

  it('a start without an offset is refused by the server (why the preset uses |iso)', async () => {
    const r = await pool!.call(
      SERVER,
      'create-event',
      { summary: 'x', start: '2026-11-24T10:00:00', end: '2026-11-24T10:30:00', calendarUrl },
      { timeoutMs: 15_000 },
    );
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/invalid/i);
  });

  it('verify(): a caldav-mcp that exits at start-up (CalDAV down) → config_error, call() refuses', async () => {
    const channels = channelsFor('caldav-down');
    await channels.verify();
    const cal = channels.status().find((s) => s.channel === 'calendar')!;
    expect(cal.state).toBe('config_error');
    expect(cal.detail).toMatch(/^cannot reach "caldav-down": /);
    const out = await channels.call('calendar', {
      title: 't',
      start: '2026-11-24T10:00:00-03:00',
      end: '2026-11-24T10:30:00-03:00',
      idempotencyKey: 'k',
    });
    expect(out).toMatchObject({ ok: false, errorClass: 'politica' });
  });

  it('an unset ${CALDAV_CALENDAR_URL} is a config_error naming the variable', async () => {
    const channels = new McpChannelClient(
      { mcpServers: servers, channels: { calendar: { server: SERVER, preset: 'caldav-mcp' } } },
      pool!,
      silentLogger,
      {},
    );
    await channels.verify();
    const cal = channels.status().find((s) => s.channel === 'calendar')!;
    expect(cal.state).toBe('config_error');
    expect(cal.detail).toMatch(/^CALDAV_CALENDAR_URL \(the calendar collection URL\) is not set/);
    expect(cal.detail).toContain(`mcpServers.${SERVER}.env`);
    expect(cal.detail).toContain("this server's environment");
  });

  it('our server with the caldav-mcp preset: schedule_meeting creates, update_meeting moves and cancels a real event in Radicale', async () => {
    const channels = channelsFor();
    await channels.verify();
    expect(channels.calendarOperations()).toMatchObject({
      available: true,
      update: true,
      delete: true,
      list: true,
      idempotent: false,
    });
    const db = await openTestDb('postgres');
    try {
      const deps = await makeDeps(db, {
        tenantSlug: 'interop-caldav',
        clock: fixedClock('2026-11-23T13:00:00Z'),
        config: { dispatchEnabled: true, dispatchFlagRaw: 'true' },
        channels: () => channels.status(),
        calendar: new McpCalendar(channels),
      });
      const lead = await insertLead(db.kysely, deps.tenant.tenant_id, {
        nome: 'Padaria Pão Quente',
        status: 'respondeu',
        timezone: 'America/Manaus',
        emails: [{ email: 'maria@padaria.com.br' }],
      });
      const client = await connectClient(deps);
      try {
        const call = async (name: string, args: Record<string, unknown>) => {
          const r = await client.callTool({ name, arguments: args });
          expect(r.isError, resultText(r)).toBeFalsy();
          return r.structuredContent as any;
        };
        // 10:00 in Manaus (UTC−4) on Tuesday 24/11 is 14:00 UTC.
        const s = await call('schedule_meeting', {
          lead_id: lead,
          start: '2026-11-24T10:00',
          duration_minutes: 30,
          title: 'Proposta Pão Quente',
          location: 'Videochamada',
        });
        const uidOurs = s.agendamento.calendar_event_id as string;
        expect(uidOurs).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        let obj = await dav(`${calendarUrl}${uidOurs}.ics`, 'GET');
        expect(obj.status, obj.text).toBe(200);
        expect(prop(obj.text, 'SUMMARY')).toBe('Proposta Pão Quente');
        expect(prop(obj.text, 'DTSTART')).toBe('20261124T140000Z');
        expect(prop(obj.text, 'DTEND')).toBe('20261124T143000Z');

        // propose_slots reads the calendar's busy times through list-events.
        const slots = await call('propose_slots', { lead_id: lead, days: 3, max_slots: 30, per_day: 10 });
        expect(slots.calendar).toMatchObject({ checked: true });
        expect(slots.calendar.busy_events).toBe(1); // our event, read back from Radicale
        expect(slots.slots.some((x: any) => x.start === '2026-11-24T14:00:00.000Z')).toBe(false);

        const moved = await call('update_meeting', {
          agendamento_id: s.agendamento.agendamento_id,
          action: 'reschedule',
          start: '2026-11-25T15:00',
          duration_minutes: 60,
        });
        expect(moved.agendamento).toMatchObject({
          status: 'agendado',
          calendar_event_id: uidOurs,
          start_local: '2026-11-25T15:00:00-04:00',
        });
        obj = await dav(`${calendarUrl}${uidOurs}.ics`, 'GET');
        expect(prop(obj.text, 'DTSTART')).toBe('20261125T190000Z');
        expect(prop(obj.text, 'DTEND')).toBe('20261125T200000Z');
        expect(prop(obj.text, 'SUMMARY')).toBe('Proposta Pão Quente');

        const cancelled = await call('update_meeting', {
          agendamento_id: s.agendamento.agendamento_id,
          action: 'cancel',
        });
        expect(cancelled).toMatchObject({ agendamento: { status: 'cancelado' }, lead_status: 'respondeu' });
        expect((await dav(`${calendarUrl}${uidOurs}.ics`, 'GET')).status).toBe(404);
        const listed = await pool!.call(
          SERVER,
          'list-events',
          { calendarUrl, start: '2026-11-23T00:00:00Z', end: '2026-11-28T00:00:00Z' },
          { timeoutMs: 15_000 },
        );
        expect(textOf(listed)).not.toContain(uidOurs);
      } finally {
        await client.closeAll();
      }
    } finally {
      await db.destroy();
    }
  });
});
