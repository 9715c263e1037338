/**
 * A tenant's send window: per-weekday local hours plus holiday rules. Times are the lead's local
 * time (the zone comes from the lead, usually inferred from the DDD).
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { isLocalDate, toMinutes } from '../time/index.js';

/** 'HH:MM' local time; `fim` is exclusive, so 08:00–20:00 allows 19:59 but not 20:00. */
export interface DayWindow {
  inicio: string;
  fim: string;
}

/** A tenant's send window. */
export interface SendWindowConfig {
  /** Index 0 = domingo … 6 = sábado; null = no sends that day. */
  dias: [
    DayWindow | null,
    DayWindow | null,
    DayWindow | null,
    DayWindow | null,
    DayWindow | null,
    DayWindow | null,
    DayWindow | null,
  ];
  respeitar_feriados: boolean;
  /** 'YYYY-MM-DD', e.g. municipal or state holidays. Only used when respeitar_feriados. */
  feriados_extras?: string[];
  /** Also skip Carnaval and Corpus Christi. Only used when respeitar_feriados. */
  incluir_pontos_facultativos?: boolean;
  /** The lead's UF: its state holidays are skipped too (set per lead at decision time, never stored). */
  uf?: string | null;
}

const weekday = Object.freeze({ inicio: '08:00', fim: '20:00' });

/**
 * DESIGN §5: Monday–Friday 08:00–20:00, Saturday 08:00–14:00, Sunday closed, national holidays
 * respected. Frozen: it is shared by every caller.
 *
 * @example DEFAULT_SEND_WINDOW.dias[6] // { inicio: '08:00', fim: '14:00' }
 */
export const DEFAULT_SEND_WINDOW: SendWindowConfig = Object.freeze({
  dias: Object.freeze([
    null,
    weekday,
    weekday,
    weekday,
    weekday,
    weekday,
    Object.freeze({ inicio: '08:00', fim: '14:00' }),
  ]),
  respeitar_feriados: true,
}) as SendWindowConfig;

const START = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM between 00:00 and 23:59');
// '24:00' lets a window run to the end of the day.
const END = z.string().regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM between 00:01 and 24:00');
const WINDOW_ORDER = 'inicio must be before fim (windows cannot cross midnight; split them over two days)';
// zod 4 runs this refinement even when a field failed its regex, so only well-formed times are compared.
const inOrder = (d: { inicio: string; fim: string }) =>
  !START.safeParse(d.inicio).success || !END.safeParse(d.fim).success || toMinutes(d.inicio) < toMinutes(d.fim);
const DAY = z.object({ inicio: START, fim: END }).strict().refine(inOrder, WINDOW_ORDER).nullable();
const LOCAL_DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isLocalDate, 'not a real calendar date');

const SCHEMA = z
  .object({
    dias: z.tuple([DAY, DAY, DAY, DAY, DAY, DAY, DAY]),
    respeitar_feriados: z.boolean().default(true),
    feriados_extras: z.array(LOCAL_DATE).optional(),
    incluir_pontos_facultativos: z.boolean().optional(),
  })
  .strict();

function pathOf(path: readonly PropertyKey[]): string {
  return (
    path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('') || '(root)'
  );
}

/**
 * Validates a send window from tenant settings. `respeitar_feriados` defaults to true. Throws an
 * AppError('invalid_argument') naming every bad field.
 *
 * @example parseSendWindow({ dias: [null, { inicio: '09:00', fim: '18:00' }, null, null, null, null, null] })
 * // { dias: [...], respeitar_feriados: true }
 * @example parseSendWindow({ dias: [null, { inicio: '18:00', fim: '09:00' }, …] })
 * // throws 'Invalid send window: dias[1]: inicio must be before fim …'
 */
export function parseSendWindow(input: unknown): SendWindowConfig {
  const parsed = SCHEMA.safeParse(input);
  if (parsed.success) return parsed.data as SendWindowConfig;
  const details = parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`).join('; ');
  throw new AppError(
    'invalid_argument',
    `Invalid send window: ${details}. Expected { dias: 7 entries (index 0 = Sunday), each null or ` +
      '{ inicio: "HH:MM", fim: "HH:MM" }, respeitar_feriados?: boolean, feriados_extras?: ["YYYY-MM-DD"], ' +
      'incluir_pontos_facultativos?: boolean }.',
    { cause: parsed.error },
  );
}
