/**
 * A pre-meeting briefing: everything a salesperson or collector needs before talking to a lead, built
 * from the lead's own data and history only (no model in the loop). Pure: ./load.ts reads the rows,
 * this turns them into the structured briefing; ./markdown.ts writes it for a person.
 */
import type { AgendamentoStatus, LeadStatus } from '../model/index.js';
import { formatDocument } from '../normalize/index.js';
import type { Briefing } from './generate-briefing.js';
import { agenda, openPoints, OPEN_QUESTION } from './open-points.js';
import { buildTimeline } from './timeline.js';
import { meetingTime } from './words.js';

/** The lead as the briefing reads it (load.ts maps the lead's record onto this). */
export interface BriefingLead {
  lead_id: string;
  name: string;
  contact_name: string | null;
  document: string | null;
  document_type: 'cpf' | 'cnpj' | null;
  document_valid: boolean;
  status: LeadStatus;
  timezone: string;
  legal_basis: string;
  /** The spreadsheet's extra columns. */
  extra: Record<string, unknown>;
  whatsapp: string | null;
  email: string | null;
  phones: Array<{
    e164: string | null;
    original: string;
    type: string;
    sendable: boolean;
    invalid_reason: string | null;
    repaired: boolean;
  }>;
  emails: Array<{ normalized: string | null; original: string; sendable: boolean; invalid_reason: string | null }>;
  /** lead_eventos rows: imports, merges, notes and status moves. */
  history: Array<{ type: string; from_status: string | null; to_status: string | null; reason: string; at: string }>;
}

export interface BriefingDisparo {
  disparo_id: string;
  canal: 'whatsapp' | 'email';
  template: string;
  status: string;
  motivo: string | null;
  erro: string | null;
  conteudo: string | null;
  enviado_em: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface BriefingReply {
  canal: 'whatsapp' | 'email';
  texto: string;
  classe: string;
  recebida_em: Date;
}

export interface BriefingMeeting {
  agendamento_id: string;
  inicio: Date;
  fim: Date;
  timezone: string;
  titulo: string;
  local: string | null;
  status: AgendamentoStatus;
  erro: string | null;
  created_at: Date;
}

export interface BriefingInput {
  lead: BriefingLead;
  disparos: BriefingDisparo[];
  replies: BriefingReply[];
  meetings: BriefingMeeting[];
  /** The meeting the briefing is for, when one was asked for (else the next upcoming one, if any). */
  agendamentoId?: string;
  now: Date;
}

export function buildBriefing(input: BriefingInput): Briefing {
  const { lead } = input;
  const meeting = pickMeeting(input);
  const points = openPoints(input, meeting);
  return {
    lead: {
      lead_id: lead.lead_id,
      company: lead.name,
      contact: lead.contact_name,
      document: lead.document ? formatDocument(lead.document, lead.document_type) : null,
      document_type: lead.document_type,
      document_valid: lead.document_valid,
      status: lead.status,
      timezone: lead.timezone,
      legal_basis: lead.legal_basis,
      sheet_data: lead.extra,
    },
    channels: {
      whatsapp: lead.whatsapp,
      email: lead.email,
      phones: lead.phones.map((p) => ({
        number: p.e164 ?? p.original,
        type: p.type,
        sendable: p.sendable,
        invalid_reason: p.invalid_reason,
      })),
      emails: lead.emails.map((e) => ({
        email: e.normalized ?? e.original,
        sendable: e.sendable,
        invalid_reason: e.invalid_reason,
      })),
    },
    agendamento: meeting && {
      agendamento_id: meeting.agendamento_id,
      start: meeting.inicio.toISOString(),
      end: meeting.fim.toISOString(),
      label: meetingTime(meeting.inicio, meeting.timezone),
      timezone: meeting.timezone,
      title: meeting.titulo,
      location: meeting.local,
      status: meeting.status,
    },
    timeline: buildTimeline(input),
    open_points: points,
    suggested_agenda: agenda(
      input,
      points.some((p) => p.startsWith(OPEN_QUESTION)),
    ),
  };
}

/** The asked-for meeting, else the next one that is still on, else none. */
function pickMeeting(input: BriefingInput): BriefingMeeting | null {
  if (input.agendamentoId) return input.meetings.find((r) => r.agendamento_id === input.agendamentoId) ?? null;
  const live = input.meetings
    .filter((r) => (r.status === 'agendado' || r.status === 'confirmado') && r.fim.getTime() >= input.now.getTime())
    .sort((a, b) => a.inicio.getTime() - b.inicio.getTime());
  return live[0] ?? null;
}
