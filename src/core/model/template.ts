/** An approved WhatsApp template's registry row (modelos_aprovados, migration 039): who approved it, its kind, its state. */
export const TEMPLATE_PROVIDERS = ['meta', 'twilio'] as const;
export type TemplateProvider = (typeof TEMPLATE_PROVIDERS)[number];
export const TEMPLATE_CATEGORIES = ['utility', 'marketing', 'authentication'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
export const TEMPLATE_STATUSES = ['approved', 'paused', 'rejected', 'disabled'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];
