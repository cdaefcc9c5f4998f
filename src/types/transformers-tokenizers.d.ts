// transformers.js's tokenizer module on its own: its classes are those the package exports.
declare module '@xenova/transformers/src/tokenizers.js' {
  export { AutoTokenizer, PreTrainedTokenizer } from '@xenova/transformers';
}
