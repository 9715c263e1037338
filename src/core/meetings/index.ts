/** Meetings: time parsing and labels, business hours, free slots, the calendar port. Pure. */
export * from './calendar-port.js';
export { parseStart, toZonedIso, zoneLabel, localLabel, type LocalLabel } from './time.js';
export { checkBusinessHours, dayWindow } from './hours.js';
export { freeSlots, type Slot, type SlotRequest } from './slots.js';
