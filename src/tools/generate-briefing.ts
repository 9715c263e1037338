import { generateBriefing, generateBriefingInput, generateBriefingOutput } from '../core/briefing/generate-briefing.js';
import { briefingMarkdown } from '../core/briefing/markdown.js';
import { defineTool } from './define-tool.js';

export const generateBriefingTool = defineTool({
  name: 'generate_briefing',
  title: 'Pre-meeting briefing',
  description:
    "Pre-meeting briefing of a lead (or of a meeting's lead): company, contact, document, channels, timeline, open " +
    'points and a suggested agenda, as pt-BR markdown plus structured data. Without agendamento_id, the next meeting ' +
    'is used.',
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
