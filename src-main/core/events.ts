import { EventEmitter } from 'node:events'
import type { EventName, EventPayload } from '../../src-shared/contract'

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void

/** The services' one outlet for events; each transport subscribes and forwards to its clients. */
export class EventBus {
  private readonly emitter = new EventEmitter()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    this.emitter.emit('event', name, payload)
  }

  /** Whether anyone listens: a headless node need not describe what nobody reads. */
  get listening(): boolean {
    return this.emitter.listenerCount('event') > 0
  }

  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener)
    return () => this.emitter.off('event', listener)
  }
}
