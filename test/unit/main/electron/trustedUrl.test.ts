import { describe, expect, it, vi } from 'vitest'
import { createOpenExternal } from '../../../../src-main/electron/openExternal'
import { isAllowedExternalUrl, isAllowedRequest, isAppUrl, rendererUrl } from '../../../../src-main/electron/trustedUrl'

const builtApp = 'file:///opt/dv2g/out/renderer/index.html'
const devApp = 'http://localhost:5173/'

describe('isAppUrl: where the window may navigate', () => {
  it.each([
    [builtApp, builtApp, true],
    [`${builtApp}#/esu`, builtApp, true],
    ['file:///etc/passwd', builtApp, false],
    ['https://evil.example/', builtApp, false],
    ['http://localhost:5173/#/tangle', devApp, true],
    ['http://localhost:5174/', devApp, false],
    ['not a url', builtApp, false]
  ])('%s against %s is %s', (url, app, expected) => {
    expect(isAppUrl(url, app)).toBe(expected)
  })
})

describe('isAllowedExternalUrl: what may open in the browser', () => {
  it.each([
    ['https://doi.org/10.1109/TVT.2020.2967052', true],
    ['https://github.com/someone/something', true],
    ['http://doi.org/insecure', false],
    ['https://doi.org.evil.example/', false],
    ['https://user:pass@github.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://share/x', false]
  ])('%s is %s', (url, expected) => {
    expect(isAllowedExternalUrl(url)).toBe(expected)
  })

  it('opens only allow-listed URLs and logs the refusals', async () => {
    const shell = { openExternal: vi.fn(async () => {}) }
    const log = vi.fn()
    const openExternal = createOpenExternal(shell, log)
    expect(await openExternal('https://doi.org/x')).toBe(true)
    expect(await openExternal('https://evil.example/')).toBe(false)
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('evil.example'))
  })
})

describe('isAllowedRequest: no remote content', () => {
  it('lets the built console load only files of its own renderer folder', () => {
    expect(isAllowedRequest('file:///opt/dv2g/out/renderer/assets/index.js', builtApp)).toBe(true)
    expect(isAllowedRequest('file:///opt/dv2g/out/renderer/index.html', builtApp)).toBe(true)
    expect(isAllowedRequest('https://cdn.example/lib.js', builtApp)).toBe(false)
    expect(isAllowedRequest('http://127.0.0.1:4780/api/app.info', builtApp)).toBe(false)
  })
  it.each([
    'file:///etc/passwd',
    'file:///opt/dv2g/out/main/index.js',
    'file:///opt/dv2g/out/renderer-other/x.js',
    'file:///opt/dv2g/out/renderer/../../package.json',
    'file:///opt/dv2g/out/renderer/%2e%2e/%2E%2E/package.json',
    'file:///opt/dv2g/out/renderer/..%2F..%2Fpackage.json',
    'file:///opt/dv2g/out/renderer/assets/%2e%2e%2f%2e%2e%2fmain/index.js',
    'file://fileserver/opt/dv2g/out/renderer/assets/index.js',
    'file:///opt/dv2g/out/renderer'
  ])('refuses %s, outside the renderer folder', (url) => {
    expect(isAllowedRequest(url, builtApp)).toBe(false)
  })
  it('lets the development console reach its dev server and hot reload, nothing else', () => {
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', devApp)).toBe(true)
    expect(isAllowedRequest('ws://localhost:5173/', devApp)).toBe(true)
    expect(isAllowedRequest('https://fonts.example/font.woff2', devApp)).toBe(false)
  })
})

describe('rendererUrl: the page the window loads', () => {
  const builtIndexFile = '/opt/dv2g/out/renderer/index.html'
  const dev = 'http://localhost:5173'
  it.each([
    [{ devServerUrl: dev, developmentBuild: true, packaged: false }, dev],
    [{ devServerUrl: dev, developmentBuild: true, packaged: true }, builtApp],
    [{ devServerUrl: dev, developmentBuild: false, packaged: false }, builtApp],
    [{ devServerUrl: undefined, developmentBuild: true, packaged: false }, builtApp],
    [{ devServerUrl: 'https://evil.example/', developmentBuild: true, packaged: false }, builtApp],
    [{ devServerUrl: 'file:///tmp/other.html', developmentBuild: true, packaged: false }, builtApp]
  ])('%o loads %s', (options, expected) => {
    expect(rendererUrl({ ...options, builtIndexFile })).toBe(expected)
  })
})
