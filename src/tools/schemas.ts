/** Schema helpers for tools; the shapes themselves live beside their use cases in src/core. */
export { isUuid, isoDateTime, uuid } from '../core/schemas.js';
