/**
 * Meetings (agendamentos). Each use case is its own file with its input and output schemas:
 * propose-slots, schedule-meeting, update-meeting (cancel / reschedule / close beside it) and
 * send-reminders. This index exports the pure parts and the calendar port. Times and labels are
 * core/time.
 */
export * from './calendar-port.js';
export { checkBusinessHours, meetingHours } from './hours.js';
export { freeSlots, type Slot, type SlotRequest } from './slots.js';
export { possibleActions, MEETING_ACTIONS, ACTION_TARGET, type MeetingAction } from './actions.js';
