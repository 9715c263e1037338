import { z } from 'zod';
import { listProblems } from '../ingest/job-store.js';
import { uuid, type Infer } from '../schemas.js';
import type { Scope } from '../scope.js';
import { RowProblemSchema } from './job-schema.js';

export const getJobProblemsInput = { job_id: uuid() };
export const getJobProblemsOutput = { problems: z.array(RowProblemSchema) };

/** Every row-level problem of an import, in row order (job_status carries only a sample). */
export async function getJobProblems(
  scope: Scope,
  input: Infer<typeof getJobProblemsInput>,
): Promise<Infer<typeof getJobProblemsOutput>> {
  const problems = await scope.tx((tx) => listProblems(tx, scope.tenant.tenant_id, input.job_id));
  return { problems };
}
