// The one shape a failed call has on every transport.
import { z } from 'zod'

/** What a failed call returns on every transport. */
export const apiErrorSchema = z.object({
  code: z.enum(['invalid_argument', 'unknown_method', 'not_found', 'internal']),
  message: z.string(),
  /** the offending fields, as dotted paths */
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional()
})
export type ApiErrorBody = z.infer<typeof apiErrorSchema>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorBody['code'],
    message: string,
    readonly fields?: ApiErrorBody['fields']
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) }
  }
}

/** Turns zod issues into one message that names every offending field. */
export function invalidArgument(where: string, error: z.ZodError): ApiError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(input)',
    message: issue.message
  }))
  const summary = fields.map((f) => `${f.path} ${f.message}`).join('; ')
  return new ApiError('invalid_argument', `${where}: ${summary}`, fields)
}
