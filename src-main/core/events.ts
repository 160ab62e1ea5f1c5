import { EventEmitter } from 'node:events'
import type { EventName, EventPayload } from '../../src-shared/contract'

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void

/** The services' one outlet for events; each transport subscribes and forwards to its clients. */
export class EventBus {
  private readonly emitter = new EventEmitter()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    this.emitter.emit('event', name, payload)
    this.emitter.emit(name, payload)
  }

  /** Whether a face listens: a headless node need not describe what nobody reads. */
  get listening(): boolean {
    return this.emitter.listenerCount('event') > 0
  }

  /** For a face (a console's transport): every event, and `listening` is true while subscribed. */
  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener)
    return () => this.emitter.off('event', listener)
  }

  /** For a service in the core: one event, without making the bus count as listened to. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    this.emitter.on(name, listener)
    return () => this.emitter.off(name, listener)
  }
}
