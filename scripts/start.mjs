#!/usr/bin/env node
// npm start: the desktop app, or, where the Electron binary is not installed, the same console
// in serve mode. Extra arguments go to the app (--data-dir=DIR) or to dv2g serve.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { build, root, staleBuildReason } from './build-state.mjs'
import { electronBinary } from './electron-binary.mjs'

const binary = electronBinary()
const args = process.argv.slice(2)
let child

if (binary) {
  const reason = staleBuildReason()
  if (reason) {
    console.error(`start: ${reason}; building (electron-vite build)...`)
    if (build() !== 0) process.exit(1)
  }
  child = spawn(binary, [root, ...args], { stdio: 'inherit' })
} else {
  console.log('Electron binary not installed (offline install); starting serve mode instead: open the URL below in a browser.')
  child = spawn(process.execPath, [join(root, 'bin', 'dv2g'), 'serve', ...args], { stdio: 'inherit' })
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
