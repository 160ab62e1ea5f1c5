// Types the build gives the renderer: .vue modules and the Electron preload's bridge.
// (No top-level import: this file must stay a global script for both declarations to apply.)

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

interface Window {
  /** present only in the Electron app; serve mode talks over a WebSocket instead */
  dv2g?: import('../src-shared/bridge').Dv2gBridge
}
