import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const TOKEN_COOKIE = 'dv2g_token'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return undefined
}

/** The token may come in the URL (first load, WebSocket), a cookie (assets), or a bearer header (scripts). */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
  return url.searchParams.get('token') ?? bearer ?? cookieValue(req.headers.cookie, TOKEN_COOKIE)
}

export function isAuthorized(req: IncomingMessage, url: URL, token: string): boolean {
  const presented = presentedToken(req, url)
  return presented !== undefined && sameSecret(presented, token)
}

/**
 * Only names that resolve to this machine may address the server: a page on another origin that
 * rebinds its DNS name to 127.0.0.1 is refused before the token is even looked at.
 */
export function isAllowedHost(hostHeader: string | undefined, port: number, boundHost: string): boolean {
  if (!hostHeader) return false
  // Bound to every interface on purpose: any name may reach it, the token still guards it.
  if (boundHost === '0.0.0.0' || boundHost === '::') return true
  const bound = boundHost.includes(':') ? `[${boundHost}]` : boundHost
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${bound}:${port}`]
  return allowed.includes(hostHeader.toLowerCase())
}
