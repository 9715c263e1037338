import { manageTemplates, manageTemplatesInput, manageTemplatesOutput } from '../core/templates/manage.js';
import { defineTool } from './define-tool.js';
import { table } from './text-table.js';

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
    const items = data.items as Record<string, unknown>[];
    const text =
      args.action === 'list'
        ? table(
            ['template_id', 'channel', 'variables', 'outside_window', 'approved'],
            items.map((i) => [
              i.template_id,
              i.channel,
              (i.variables as string[] | undefined)?.join(', '),
              i.outside_window ?? 'e-mail',
              (i.approved as Array<{ provedor: string; status: string }>)
                .map((a) => `${a.provedor} ${a.status}`)
                .join(', '),
            ]),
            120,
          )
        : args.action === 'preview' && typeof items[0]?.text === 'string'
          ? `${table(
              Object.keys(items[0]).filter((k) => k !== 'text'),
              [
                Object.entries(items[0])
                  .filter(([k]) => k !== 'text')
                  .map(([, v]) => v),
              ],
            )}\n${items[0].text}`
          : table(Object.keys(items[0] ?? {}), [Object.values(items[0] ?? {})], 200);
    return { data, text };
  },
});
