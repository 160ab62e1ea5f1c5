import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { electronBinary } from '../../../scripts/electron-binary.mjs'
import { useTempDirs } from '../../support/tempDir'

const tempDir = useTempDirs()

describe('npm start', () => {
  it('finds no Electron binary when the package installed without it, or when require fails', () => {
    expect(electronBinary(() => '/nonexistent/electron')).toBeNull()
    expect(
      electronBinary(() => {
        throw new Error('Electron failed to install correctly')
      })
    ).toBeNull()
    expect(electronBinary(() => process.execPath)).toBe(process.execPath)
  })

  // bounded above the 90 s it gives serve mode to start on a busy machine
  it('without the binary says so in one line and serves the console, printing its URL', async () => {
    const start = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url))
    const child = spawn(process.execPath, [start, '--port', '0', '--data-dir', tempDir()], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = ''
        const timer = setTimeout(() => reject(new Error(`no URL within 90 s:\n${text}`)), 90_000)
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (/\?token=\S+/.test(text)) {
            clearTimeout(timer)
            resolve(text)
          }
        })
      })
      const lines = output.trim().split('\n')
      expect(lines[0]).toBe(
        'Electron binary not installed (offline install); starting serve mode instead: open the URL below in a browser.'
      )
      const url = output.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/)![0]
      expect((await fetch(url)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
  }, 120_000)
})
