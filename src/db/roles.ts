/** The application's role (migration 017): not an owner, not a superuser; row-level security always applies. */
export const APP_ROLE = 'agente_app';
/** Taken per transaction (SET LOCAL ROLE) by the few cross-tenant reads; see withSystem(). */
export const SYSTEM_ROLE = 'agente_sistema';
