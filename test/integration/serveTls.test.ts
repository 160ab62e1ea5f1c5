// dv2g serve beyond loopback: refused in one line without a certificate, HTTPS and WSS with one.
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { socketProtocols } from '../../src-shared/serveAuth'
import { runDv2g, startServe } from '../support/cli'
import { selfSignedCert } from '../support/selfSignedCert'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
/** each dv2g process starts tsx; on a busy machine that alone takes tens of seconds */
const CLI_TIMEOUT_MS = 120_000

function postOverHttps(url: URL, path: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: url.origin }
    const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers, ca }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')))
    req.end('{}')
  })
}

describe('dv2g serve beyond loopback', () => {
  it(
    'refuses any other address without --tls-cert and --tls-key, in one line, exit 2',
    () => {
      const { status, stdout, stderr } = runDv2g(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', tempDir()])
      expect(status).toBe(2)
      expect(stdout).toBe('')
      expect(stderr.trim().split('\n')).toEqual([
        'dv2g: serving on 0.0.0.0 needs --tls-cert FILE and --tls-key FILE (HTTPS and WSS): only loopback may be served without TLS'
      ])
    },
    CLI_TIMEOUT_MS
  )

  it(
    'refuses half a TLS identity, or a key that is not the certificate’s, naming the file',
    () => {
      const dir = tempDir()
      const first = selfSignedCert(dir, 'first')
      const second = selfSignedCert(dir, 'second')
      const alone = runDv2g(['serve', '--port', '0', '--tls-cert', first.certFile, '--data-dir', tempDir()])
      expect(alone.status).toBe(2)
      expect(alone.stderr.trim()).toBe('dv2g: --tls-cert and --tls-key go together: give both files or neither')
      const mismatched = runDv2g([
        'serve',
        '--port',
        '0',
        '--tls-cert',
        first.certFile,
        '--tls-key',
        second.keyFile,
        '--data-dir',
        tempDir()
      ])
      expect(mismatched.status).toBe(2)
      expect(mismatched.stderr.trim()).toBe(`dv2g: --tls-key ${second.keyFile}: is not the key of the certificate in ${first.certFile}`)
    },
    2 * CLI_TIMEOUT_MS
  )

  it(
    'serves HTTPS and WSS with a certificate',
    async () => {
      const { certFile, keyFile } = selfSignedCert(tempDir())
      const ca = readFileSync(certFile)
      const server = await startServe(tempDir(), ['--tls-cert', certFile, '--tls-key', keyFile])
      try {
        const url = new URL(server.url)
        expect(url.protocol).toBe('https:')
        const token = url.searchParams.get('token')!
        const info = await postOverHttps(url, '/api/app.info', ca, token)
        expect(info.status).toBe(200)
        expect(JSON.parse(info.body).output.transport).toBe('serve')

        const ws = new WebSocket(`wss://${url.host}/ws`, socketProtocols(token), { ca, headers: { Origin: url.origin } })
        try {
          await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
          expect(ws.protocol).toBe('dv2g.v1')
        } finally {
          ws.close()
        }
      } finally {
        await server.stop()
      }
    },
    CLI_TIMEOUT_MS
  )
})
