/**
 * When a collection message may reach a person, by the UF (state) they are in. São Paulo's law is the
 * default everywhere (Lei 15.426/2014: Monday–Friday 08:00–20:00, Saturday 08:00–14:00, never on Sundays
 * or holidays); a state with its own rule has a row here, with the law it comes from and whether its
 * text was checked. The tenant's window can only narrow these hours for collection messages
 * (collectionWindow), never widen them; Sundays and holidays (national and the UF's) are always closed.
 */
import { DEFAULT_SEND_WINDOW, type DayWindow, type SendWindowConfig } from './send-window-config.js';

/** One state's collection-contact rule: its hours per weekday (0 = domingo) and where they come from. */
export interface StateContactRule {
  uf: string;
  dias: SendWindowConfig['dias'];
  /** The law, as cited. */
  fonte: string;
  /**
   * Whether the hours were checked against the law's text. False: taken from a secondary source (the
   * issue's reference list), no copy of the text was available offline; SP's hours are then applied.
   */
  verificado: boolean;
  nota?: string;
}

const SP_HOURS = DEFAULT_SEND_WINDOW.dias;

/** SP's rule: the default for every UF without a row of its own. */
export const DEFAULT_CONTACT_RULE: StateContactRule = Object.freeze({
  uf: 'SP',
  dias: SP_HOURS,
  fonte: 'SP Lei 15.426/2014',
  verificado: false,
  nota: 'horários como o issue #17 os cita (seg–sex 08–20, sáb 08–14, nunca domingo/feriado); texto da lei não consultado',
});

/** The shipped table: UFs with a cited collection-contact law. Rows not verified apply SP's hours. */
export const STATE_CONTACT_RULES: readonly StateContactRule[] = Object.freeze([
  DEFAULT_CONTACT_RULE,
  {
    uf: 'AL',
    dias: SP_HOURS,
    fonte: 'AL Lei 7.782/2016',
    verificado: false,
    nota: 'lei citada por fonte secundária; horários não confirmados: aplicado o padrão de SP',
  },
  {
    uf: 'RJ',
    dias: SP_HOURS,
    fonte: 'RJ Lei 7.868/2018',
    verificado: false,
    nota: 'lei citada por fonte secundária; horários não confirmados: aplicado o padrão de SP',
  },
]);

const BY_UF = new Map(STATE_CONTACT_RULES.map((r) => [r.uf, r]));

/** The rule for a UF: its own row, else SP's (also for an unknown UF). */
export function contactRuleFor(uf: string | null | undefined): StateContactRule {
  return (uf && BY_UF.get(uf)) || DEFAULT_CONTACT_RULE;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The overlap of two day windows (null: none). */
function overlap(a: DayWindow | null, b: DayWindow | null): DayWindow | null {
  if (!a || !b) return null;
  const inicio = minutes(a.inicio) >= minutes(b.inicio) ? a.inicio : b.inicio;
  const fim = minutes(a.fim) <= minutes(b.fim) ? a.fim : b.fim;
  return minutes(inicio) < minutes(fim) ? { inicio, fim } : null;
}

/**
 * The window for a collection message to a lead in `uf`: the tenant's window narrowed to the state's
 * rule — each day the overlap of both, Sunday closed, holidays always respected (national, the UF's,
 * and the tenant's extra dates).
 *
 * @example collectionWindow({ ...DEFAULT_SEND_WINDOW, dias: [w, w, w, w, w, w, w] }, 'SP').dias[0] // null (Sunday)
 */
export function collectionWindow(tenant: SendWindowConfig, uf: string | null | undefined): SendWindowConfig {
  const rule = contactRuleFor(uf);
  const dias = tenant.dias.map((d, i) => (i === 0 ? null : overlap(d, rule.dias[i]))) as SendWindowConfig['dias'];
  return { ...tenant, dias, respeitar_feriados: true, uf: uf ?? null };
}

const ALL_DAY = Object.freeze({ inicio: '00:00', fim: '24:00' });
const OPEN_ALWAYS: SendWindowConfig = {
  dias: [ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY],
  respeitar_feriados: true,
};

/** The state's rule alone as a window (what the law allows, whatever the tenant chose). */
export const legalWindow = (uf: string | null | undefined): SendWindowConfig => collectionWindow(OPEN_ALWAYS, uf);

/** The law a UF's collection hours come from, as a person reads it: 'RJ Lei 7.868/2018' or 'SP Lei 15.426/2014 (padrão)'. */
export function ruleSource(uf: string | null | undefined): string {
  const r = contactRuleFor(uf);
  return r.uf === uf ? r.fonte : `${DEFAULT_CONTACT_RULE.fonte} (padrão)`;
}
