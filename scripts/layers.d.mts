export declare const layers: ReadonlyArray<{ name: string; dir: string; mayImport: string[] }>
export declare function importsOf(source: string): string[]
export declare function checkLayers(root: string): string[]
