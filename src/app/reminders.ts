/**
 * @deprecated The `reminders` command's adapter until src/main.ts calls the use case itself:
 *   const scope = createScope(deps, { actor: { kind: 'cli', command: 'reminders' } });
 *   const r = await sendReminders(scope, { window_hours: windowHours, limit: 1000 });
 * (sendReminders from core/meetings/send-reminders.ts). It answers in the command's old JSON words
 * (modo, encontrados, lembretes, adiados, itens) so the command's output does not change before then;
 * delete this file when main.ts switches.
 */
import { sendReminders as sendRemindersUseCase } from '../core/meetings/send-reminders.js';
import type { ServerDeps } from '../deps.js';
import { createScope } from '../scope.js';

export async function sendReminders(deps: ServerDeps, opts: { windowHours: number; limit: number }) {
  const scope = createScope(deps, { actor: { kind: 'cli', command: 'reminders' } });
  const r = await sendRemindersUseCase(scope, { window_hours: opts.windowHours, limit: opts.limit });
  return {
    modo: r.mode,
    janela_horas: r.window_hours,
    encontrados: r.found,
    lembretes: r.reminders,
    adiados: r.deferred,
    itens: r.items.map((i) => ({ ...i, mensagem: i.message })),
  };
}
