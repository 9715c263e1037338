/**
 * Message templates: built-in texts, static validation, rendering and lead variables. Pure: no
 * I/O and nothing runs on import.
 */
export type { TemplateChannel, TemplateDef, RenderResult } from './types.js';
export {
  BUILTIN_TEMPLATES,
  DEFAULT_TEMPLATE_BY_CHANNEL,
  getBuiltinTemplate,
  listBuiltinTemplates,
} from './registry.js';
export { renderTemplate, templateVariables, toNumberedBody, validateTemplate } from './render.js';
export {
  leadVariables,
  firstName,
  CONTATO_FALLBACK,
  TEMPLATE_VARIABLES,
  type CreditorForTemplate,
  type LeadForTemplate,
} from './variables.js';
export { OPT_OUT_TEXT, OPT_OUT_KEYWORD } from './opt-out.js';
export { isCollectionTemplate } from './builtin-cobranca.js';
