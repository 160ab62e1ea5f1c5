// Runs the OCPP central system of a long-running face as Settings or its command line say: the
// desktop app and dv2g serve follow ocpp.json and restart the endpoint when it changes; dv2g serve
// and dv2g node with --ocpp-listen run what the command line asked and Settings shows it. Changes
// are applied one at a time, in order.
import type { OcppSettings } from '../../../src-shared/contract'
import type { Listening } from './centralSystem'
import type { OcppService } from './service'
import {
  DEFAULT_OCPP_SETTINGS,
  OcppSettingsError,
  parseHostPort,
  readOcppSettings,
  readTls,
  writeOcppSettings,
  type OcppFileSettings
} from './settings'

/** What Settings (OCPP) reads and changes while a face runs the central system. */
export interface OcppSettingsControl {
  state(): OcppSettings
  configure(changes: { listen?: string | null; unknownChargers?: 'Pending' | 'Rejected' }): Promise<OcppSettings>
}

export class OcppControl implements OcppSettingsControl {
  private listening: Listening | null = null
  private error: string | null = null
  private settings: OcppFileSettings
  private applying: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly service: OcppService,
    private readonly dataDir: string,
    /** the command line's settings: Settings cannot change them */
    private readonly pinned: OcppFileSettings | null,
    private readonly log: (line: string) => void
  ) {
    this.settings = pinned ?? DEFAULT_OCPP_SETTINGS
    if (pinned) return
    try {
      this.settings = readOcppSettings(dataDir)
    } catch (error) {
      if (!(error instanceof OcppSettingsError)) throw error
      this.error = error.message
    }
  }

  /**
   * The app's central system: as the command line asked (--ocpp-listen; a failure to start is
   * the command's), or else as ocpp.json says (the desktop app, dv2g serve).
   */
  static create(app: { dataDir: string; ocpp(): OcppService }, pinned: OcppFileSettings | null, log: (line: string) => void): OcppControl {
    return new OcppControl(app.ocpp(), app.dataDir, pinned, log)
  }

  /** Starts the endpoint if the settings ask for one; a pinned one that cannot start throws. */
  start(): Promise<OcppSettings> {
    // an ocpp.json that cannot be read keeps it off, and says why, until Settings saves it again
    return this.serially(() => (this.error ? Promise.resolve() : this.restart(this.pinned !== null)))
  }

  state(): OcppSettings {
    return {
      listen: this.settings.listen,
      editable: this.pinned === null,
      endpoint: this.listening?.url ?? null,
      securityProfile: this.listening?.securityProfile ?? null,
      error: this.error,
      unknownChargers: this.service.unknownChargers
    }
  }

  /** Settings, OCPP: a new listen address (null: off) and what an unknown charger is told. */
  configure(changes: { listen?: string | null; unknownChargers?: 'Pending' | 'Rejected' }): Promise<OcppSettings> {
    return this.serially(async () => {
      if (changes.unknownChargers) this.service.setUnknownChargers(changes.unknownChargers)
      if (changes.listen === undefined || changes.listen === this.settings.listen) return
      if (this.pinned)
        throw new OcppSettingsError(
          'this process runs the central system its command line asked for (--ocpp-listen); start it without that to set OCPP here'
        )
      const settings = { ...this.settings, listen: changes.listen }
      writeOcppSettings(this.dataDir, settings)
      this.settings = settings
      await this.restart(false)
    })
  }

  stop(): Promise<OcppSettings> {
    return this.serially(async () => {
      this.listening = null
      await this.service.stop()
    })
  }

  private async restart(failLoudly: boolean): Promise<void> {
    if (this.listening) await this.service.stop()
    this.listening = null
    this.error = null
    const { listen, tls } = this.settings
    if (listen === null) return
    try {
      this.listening = await this.service.start({ ...parseHostPort(listen, 'listen'), ...(tls ? { tls: readTls(tls) } : {}) })
      this.log(
        `dv2g: OCPP central system listening on ${this.listening.url}{chargerId} (security profile ${this.listening.securityProfile})`
      )
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
      this.error = inUse ? `${listen} is in use` : (error as Error).message
      if (failLoudly) throw new OcppSettingsError(`--ocpp-listen ${listen}: ${this.error}`)
      this.log(`dv2g: OCPP is on but the central system did not start: ${this.error}`)
    }
  }

  private serially(work: () => Promise<void>): Promise<OcppSettings> {
    const next = this.applying.then(work)
    this.applying = next.catch(() => undefined)
    return next.then(() => this.state())
  }
}
