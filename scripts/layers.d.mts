export declare const layers: ReadonlyArray<{ name: string; dir: string; mayImport: string[] }>
export declare const coreDomains: Readonly<Record<string, readonly string[]>>
export declare function importsOf(source: string): string[]
export declare function checkLayers(root: string): string[]
export declare function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][]
