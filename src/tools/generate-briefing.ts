import { generateBriefing, generateBriefingInput, generateBriefingOutput } from '../core/briefing/generate-briefing.js';
import { briefingMarkdown } from '../core/briefing/markdown.js';
import { defineTool } from './define-tool.js';

export const generateBriefingTool = defineTool({
  name: 'generate_briefing',
  title: 'Pre-meeting briefing',
  description:
    'Pre-meeting briefing of a lead or a meeting: company, contact, document, channels, timeline, open ' +
    "points, suggested agenda (pt-BR markdown). Without agendamento_id: the lead's next meeting.",
  toolset: 'meetings',
  access: 'read',
  input: generateBriefingInput,
  output: generateBriefingOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { scope }) => {
    const b = await generateBriefing(scope, args);
    return { data: b, text: briefingMarkdown(b) };
  },
});
