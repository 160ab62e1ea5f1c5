import { describe, expect, it, vi } from 'vitest'
import { createOpenExternal } from '../../../../src-main/electron/openExternal'
import { isAllowedExternalUrl, isAllowedRequest, isAppUrl } from '../../../../src-main/electron/trustedUrl'

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
  it('lets the built console load only local files', () => {
    expect(isAllowedRequest('file:///opt/dv2g/out/renderer/assets/index.js', builtApp)).toBe(true)
    expect(isAllowedRequest('https://cdn.example/lib.js', builtApp)).toBe(false)
    expect(isAllowedRequest('http://127.0.0.1:4780/api/app.info', builtApp)).toBe(false)
  })
  it('lets the development console reach its dev server and hot reload, nothing else', () => {
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', devApp)).toBe(true)
    expect(isAllowedRequest('ws://localhost:5173/', devApp)).toBe(true)
    expect(isAllowedRequest('https://fonts.example/font.woff2', devApp)).toBe(false)
  })
})
