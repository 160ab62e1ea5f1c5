import { Menu, type MenuItemConstructorOptions } from 'electron'

/** A small menu. Alt+0..9 stay free: the console uses them to switch views. */
export function applicationMenu(options: { isDev: boolean; version: string; openExternal: (url: string) => unknown }): Menu {
  const template: MenuItemConstructorOptions[] = [
    { label: 'File', submenu: [{ role: 'quit' }] },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.isDev ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    {
      label: 'Help',
      submenu: [
        { label: `DV2G Operator ${options.version}`, enabled: false },
        { label: 'The paper (doi:10.1109/TVT.2020.2967052)', click: () => options.openExternal('https://doi.org/10.1109/TVT.2020.2967052') }
      ]
    }
  ]
  return Menu.buildFromTemplate(template)
}
