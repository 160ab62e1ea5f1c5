export declare const HOUSE_START: string
export declare const HOUSE_END: string
export declare function houseEdges(root: string): string[]
export declare function drawHouse(root: string): string
export declare function withCurrentHouse(page: string, root: string): string
