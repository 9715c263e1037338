import { ProtocolError, type CallToolResult } from '@modelcontextprotocol/client';
import type { SendOutcome } from '../core/outreach/channel-port.js';
import { classifyText, rawOf, toSendOutcome, type Answer } from './outcome.js';
import { NotConnectedError, type McpClientPool } from './pool.js';
import { renderArguments, type CanonicalPayload, type ChannelProfile } from './profile.js';
import { readAnswer } from './readers.js';

/**
 * One downstream tool call and how its answer is read: the call itself (a result, a JSON-RPC error
 * answer, or no answer at all), read by the profile's reader into a SendOutcome; plus the readers
 * for an answer already in hand (interpret) and for text-only answers (classify).
 */

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Renders the payload into the tool's arguments, calls it, and classifies what came back. */
export async function invokeTool(
  pool: McpClientPool,
  defaultTimeoutMs: number,
  call: { server: string; tool: string; template: Record<string, unknown>; profile: ChannelProfile },
  payload: CanonicalPayload,
  opts: CallOptions,
): Promise<SendOutcome> {
  const { server, tool, template, profile } = call;
  const args = renderArguments(template, payload) as Record<string, unknown>;
  // A slow server's own timeout wins over a shorter default from the caller (see ChannelProfile.timeoutMs).
  const timeoutMs = Math.max(opts.timeoutMs ?? defaultTimeoutMs, profile.timeoutMs ?? 0);
  let answer: Answer;
  if (opts.signal?.aborted) {
    answer = { kind: 'no_answer', sent: false, message: 'cancelled before the call' };
    return toSendOutcome(readAnswer(profile.result.reader, answer, profile.result), null);
  }
  try {
    const result = await pool.call(server, tool, args, { timeoutMs, signal: opts.signal });
    answer = { kind: 'result', result };
  } catch (err) {
    answer = answerOfError(err);
  }
  return toSendOutcome(readAnswer(profile.result.reader, answer, profile.result), rawOf(answer));
}

/**
 * A JSON-RPC error answer (the server said something: Twilio's refusals come this way), or no answer
 * at all (timeout, crash, closed connection: the message may or may not have left).
 */
function answerOfError(err: unknown): Answer {
  const e = err as Error & { code?: unknown; data?: unknown };
  // A ProtocolError is the server's JSON-RPC error answer; an SdkError (timeout, connection closed, a
  // transport failure) means no answer came.
  return err instanceof NotConnectedError // a server that cannot be started or reached never saw the request
    ? { kind: 'no_answer', sent: false, message: e.message }
    : err instanceof ProtocolError
      ? { kind: 'error', code: typeof e.code === 'number' ? e.code : null, message: e.message, data: e.data }
      : { kind: 'no_answer', sent: true, message: e.message ?? String(err) };
}

/** Reads a downstream answer with the profile's reader: success with an id, or a classified failure. */
export function interpret(r: CallToolResult, p: ChannelProfile): SendOutcome {
  const answer: Answer = { kind: 'result', result: r };
  return toSendOutcome(readAnswer(p.result.reader, answer, p.result), rawOf(answer));
}

/** Transient (retry), bad destination (fall back), policy (stop), or unknown — for text-only answers. */
export function classify(text: string): 'transitorio' | 'destino_invalido' | 'politica' | 'desconhecido' {
  const out = toSendOutcome(classifyText(text), null);
  return out.ok ? 'desconhecido' : out.errorClass;
}
