// Loading a year's index parses about 100 MB of JSON (paragraphs, the BM25 index) whose
// intermediate objects are garbage as soon as the load returns. Left to itself V8 grows the heap
// around them and keeps the pages; a full collection right after each large load keeps the
// process near what it holds (docs/performance.md: RSS 1.05–1.1 GB → 0.76 GB at 110k paragraphs).
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

/** Runs a full garbage collection now (tens of milliseconds; a few hundred at a year's size). */
export function collectGarbage(): void {
  if (!collect) {
    // `gc` is only exposed by a V8 flag; setting it at run time avoids asking every entry point for --expose-gc.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}
