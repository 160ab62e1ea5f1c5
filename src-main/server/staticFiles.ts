import { createReadStream, existsSync, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf'
}

/** Resolves a decoded URL path inside root, or undefined when it would leave root or names no file. */
export function resolveStaticFile(root: string, path: string): string | undefined {
  if (path.includes('\0')) return undefined
  const relative = path === '/' ? 'index.html' : path.replace(/^\/+/, '')
  const file = normalize(join(root, relative))
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined
  return existsSync(file) && statSync(file).isFile() ? file : undefined
}

export function sendFile(res: ServerResponse, file: string, headers: Record<string, string>): void {
  const type = contentTypes[extname(file)] ?? 'application/octet-stream'
  res.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600'
  })
  createReadStream(file).pipe(res)
}
