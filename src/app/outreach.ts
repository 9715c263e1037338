/**
 * @deprecated moved to core/outreach (issue 13). Kept only for app/meeting-messages.ts (f3) until it
 * imports maskDestination from core/outreach/preview.js; then delete this file.
 */
export { maskDestination } from '../core/outreach/preview.js';
