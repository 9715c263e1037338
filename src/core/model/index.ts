/** The vocabulary: every status, channel, duration, idempotency key and actor, in one place. */
export * from './actor.js';
export * from './agendamento.js';
export * from './block-code.js';
export * from './channel.js';
export * from './disparo.js';
export * from './durations.js';
export * from './job.js';
export * from './keys.js';
export * from './lead.js';
export * from './inbound.js';
export * from './lgpd.js';
export * from './template.js';
export * from './event-delivery.js';
export * from './report.js';
