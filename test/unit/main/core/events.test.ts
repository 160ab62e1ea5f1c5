import { describe, expect, it } from 'vitest'
import { EventBus } from '../../../../src-main/core/events'

describe('EventBus', () => {
  it('counts only faces as listening, while a core service still hears the events it follows', () => {
    const events = new EventBus()
    const heard: string[] = []
    const stopFollowing = events.on('wallet.changed', () => heard.push('service'))
    // a headless node's own services must not make it describe every transaction for nobody
    expect(events.listening).toBe(false)

    const unsubscribe = events.subscribe((name) => heard.push(`face:${name}`))
    expect(events.listening).toBe(true)
    events.emit('wallet.changed', { unlocked: true })
    expect(heard).toEqual(['face:wallet.changed', 'service'])

    unsubscribe()
    stopFollowing()
    events.emit('wallet.changed', { unlocked: true })
    expect(events.listening).toBe(false)
    expect(heard).toHaveLength(2)
  })
})
