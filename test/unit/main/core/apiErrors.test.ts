import { describe, expect, it } from 'vitest'
import { apiErrorSchema } from '../../../../src-shared/contract'
import { open } from '../../../../src-main/core/app'
import { createDispatcher, toErrorBody } from '../../../../src-main/core/api'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()

/** What the transports would send back for the call. */
async function failureOf(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return apiErrorSchema.parse(toErrorBody(error))
  }
  throw new Error('expected the call to fail')
}

describe('the contract error a refusal becomes', () => {
  it('names the field at fault beside its code, from the service that refused', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    const call = createDispatcher(app)
    try {
      expect(await failureOf(call('market.start', { scenario: 'paper-3x10', clock: 'accelerated', settle: false }))).toEqual({
        code: 'invalid_argument',
        message: 'slotSeconds: the accelerated clock needs the seconds per slot',
        field: 'slotSeconds',
        fields: [{ path: 'slotSeconds', message: 'the accelerated clock needs the seconds per slot' }]
      })
      expect(await failureOf(call('wallet.create', { name: 'treasury', role: 'operator' }))).toMatchObject({
        code: 'invalid_argument',
        field: 'name'
      })
      expect(await failureOf(call('ocpp.remove', { id: 'CP-1' }))).toMatchObject({ code: 'invalid_argument', field: 'id' })
    } finally {
      app.close()
    }
  })

  it('reports an unknown run as not_found, with no field', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    try {
      const body = await failureOf(createDispatcher(app)('market.day', { runId: '00000000-0000-4000-8000-000000000000' }))
      expect(body.code).toBe('not_found')
      expect(body.field).toBeUndefined()
    } finally {
      app.close()
    }
  })
})
