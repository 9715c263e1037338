/**
 * The campaign report (issue 19 step 2): the contract between the report use case, the report tool's
 * structuredContent and the campaign MCP App (step 8), which renders exactly this shape.
 * Counts come from events (the outbox), not from current status: a lead who replied and then booked
 * counts in both `replied` and `meetings.booked`.
 */
export interface FunnelCounts {
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  /** Replies by class (interessado, nao_interessado, opt_out, duvida, … as classified); total in `replied`. */
  replied: number;
  replied_by_class: Record<string, number>;
  opted_out: number;
  meetings: { booked: number; confirmed: number; held: number; no_show: number; cancelled: number };
  /** Failures by provider/block code or reason (e.g. "131026", "timeout"). */
  failed_by_reason: Record<string, number>;
}

/** One bucket of the sends-over-time series (bucket start, ISO 8601 with offset). */
export interface ReportTimelinePoint {
  at: string;
  sent: number;
  delivered: number;
  failed: number;
  replied: number;
}

export interface CampaignReport {
  /** What the report covers: one campaign, or the filters given (template, channel, period). */
  scope: {
    campaign_id: string | null;
    campaign_key: string | null;
    template: string | null;
    channel: string | null;
    from: string;
    to: string;
  };
  funnel: FunnelCounts;
  /** Per channel (whatsapp, email), the same counts. */
  by_channel: Record<string, FunnelCounts>;
  /** Bucket size of `timeline` in seconds (chosen so the series has at most ~120 points). */
  bucket_seconds: number;
  timeline: ReportTimelinePoint[];
  /** The campaign's pace (messages per second), null when none was set: drawn as the limit line. */
  pace_per_second: number | null;
  /** Leads the campaign (or its dry run) did not send to, by block code. */
  blocked_by_reason: Record<string, number>;
}
