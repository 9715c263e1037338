/**
 * Sending policy that is pure computation: the tenant's send window (per-weekday local hours and
 * holidays) and whether an instant is inside it. Local time and holidays themselves are core/time.
 * No I/O; nothing runs on import.
 */
export {
  checkSendWindow,
  nextWindowStart,
  dayHours,
  parseSendWindow,
  DEFAULT_SEND_WINDOW,
  type WindowCheck,
  type DayWindow,
  type SendWindowConfig,
} from './send-window.js';
export {
  collectionWindow,
  contactRuleFor,
  legalWindow,
  ruleSource,
  STATE_CONTACT_RULES,
  DEFAULT_CONTACT_RULE,
  type StateContactRule,
} from './state-contact-rules.js';
