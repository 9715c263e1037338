import { describeFlag, type Scope } from '../scope.js';

/**
 * Why nothing changed downstream in a dry run, for the answer:
 * 'MICRO_AGENT_DISPARO_ENABLED is unset, not "true"'.
 */
export const sendingOffReason = (scope: Scope): string =>
  `MICRO_AGENT_DISPARO_ENABLED is ${describeFlag(scope.sending)}, not "true"`;
