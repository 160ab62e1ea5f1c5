import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

export interface CertFiles {
  certFile: string
  keyFile: string
}

/** A throwaway P-256 certificate for localhost and 127.0.0.1, made by openssl in dir. */
export function selfSignedCert(dir: string, name = 'serve'): CertFiles {
  const certFile = join(dir, `${name}.crt`)
  const keyFile = join(dir, `${name}.key`)
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost']
  args.push('-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile)
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 })
  if (result.status !== 0) throw new Error(`openssl could not make a test certificate: ${result.stderr || result.error?.message}`)
  return { certFile, keyFile }
}
