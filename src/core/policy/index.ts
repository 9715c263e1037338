/**
 * Sending policy that is pure computation: send windows and Brazilian holidays. No I/O; nothing
 * runs on import.
 */
export {
  checkSendWindow,
  nextWindowStart,
  localParts,
  zonedTimeToUtc,
  parseSendWindow,
  DEFAULT_SEND_WINDOW,
  type WindowCheck,
  type DayWindow,
  type SendWindowConfig,
  type LocalParts,
} from './send-window.js';
export {
  nationalHolidays,
  optionalHolidays,
  isHoliday,
  easterSunday,
  LOCAL_HOLIDAY_NAME,
  type Holiday,
  type HolidayOptions,
} from './holidays.js';
