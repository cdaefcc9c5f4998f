// transformers.js's hub module: the download (and cache) of one file of a hub model, as its pipelines do it.
declare module '@xenova/transformers/src/utils/hub.js' {
  export function getModelFile(repoId: string, filename: string, fatal?: boolean, options?: { revision?: string }): Promise<Uint8Array>;
}
