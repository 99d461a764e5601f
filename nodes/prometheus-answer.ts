import { z } from 'zod';

/**
 * Prometheus's HTTP API answer envelope (`/api/v1/query`, `/api/v1/query_range`): a result, or an
 * error with its type. The one definition check.prometheus and enrich.graph read answers with.
 */
export const PrometheusAnswerSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.object({ resultType: z.string(), result: z.unknown() }).optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});
