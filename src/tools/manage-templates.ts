import { manageTemplates, manageTemplatesInput, manageTemplatesOutput } from '../core/templates/manage.js';
import { defineTool } from './define-tool.js';

export const manageTemplatesTool = defineTool({
  name: 'manage_templates',
  title: 'WhatsApp templates',
  description:
    'Approved templates, needed outside the 24 h window. register: name = Meta name or Twilio HX SID, ' +
    'params = our variable per {{n}}.',
  toolset: 'dispatch',
  access: 'admin',
  input: manageTemplatesInput,
  output: manageTemplatesOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const data = await manageTemplates(scope, args);
    const text =
      args.action === 'list'
        ? (data.items as Record<string, unknown>[])
            .map((i) => `${String(i.template_id)} (${String(i.channel)}): ${String(i.outside_window ?? 'e-mail')}`)
            .join('\n')
        : JSON.stringify(data.items[0]);
    return { data, text };
  },
});
