export declare function electronBinary(requireFrom?: (id: string) => unknown): string | null
