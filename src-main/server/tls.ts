// Serve mode's TLS identity: a certificate and its private key from PEM files, checked before any
// socket is bound, so a wrong file is one clear line rather than a failed handshake in a browser.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Dv2gError } from '../../src-shared/errors'

export interface TlsIdentity {
  cert: Buffer
  key: Buffer
}

export class TlsFileError extends Dv2gError {
  override name = 'TlsFileError'
  constructor(message: string) {
    super('invalid_argument', message)
  }
}

function readPem(file: string, option: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new TlsFileError(`${option} ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/** Reads and checks a certificate and key pair; every refusal names the option and the file. */
export function readTlsIdentity(certFile: string, keyFile: string): TlsIdentity {
  const cert = readPem(certFile, '--tls-cert')
  const key = readPem(keyFile, '--tls-key')
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch {
    throw new TlsFileError(`--tls-cert ${certFile}: not a PEM certificate`)
  }
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch {
    throw new TlsFileError(`--tls-key ${keyFile}: not an unencrypted PEM private key`)
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsFileError(`--tls-key ${keyFile}: is not the key of the certificate in ${certFile}`)
  }
  return { cert, key }
}

/** The DNS names and IP addresses a certificate is for (its subjectAltName, else its CN). */
export function certificateNames(cert: Buffer | string): string[] {
  const certificate = new X509Certificate(cert)
  const names = (certificate.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim().match(/^(?:DNS|IP Address):(.+)$/)?.[1])
    .filter((name): name is string => name !== undefined)
  if (names.length) return names
  const commonName = certificate.subject.match(/^CN=(.+)$/m)?.[1]
  return commonName ? [commonName] : []
}
