// The one shape a failed call has on every transport.
import { z } from 'zod'
import { Dv2gError, ERROR_CODES } from '../errors'

/** What a failed call returns on every transport. */
export const apiErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** the input field at fault, as a dotted path, where one is */
  field: z.string().optional(),
  /** the offending fields, as dotted paths */
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional()
})
export type ApiErrorBody = z.infer<typeof apiErrorSchema>

export class ApiError extends Dv2gError {
  constructor(
    code: ApiErrorBody['code'],
    message: string,
    readonly fields?: ApiErrorBody['fields']
  ) {
    // one field at fault is named as the field; several only in the list
    super(code, message, fields?.length === 1 ? { field: fields[0]!.path } : {})
    this.name = 'ApiError'
  }

  toBody(): ApiErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.field ? { field: this.field } : {}),
      ...(this.fields ? { fields: this.fields } : {})
    }
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
