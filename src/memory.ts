// Loading a year's index parses about 100 MB of JSON (paragraphs, the BM25 index) whose
// intermediate objects are garbage as soon as the load returns. Left to itself V8 grows the heap
// around them and keeps the pages; a full collection right after each large load keeps the
// process near what it holds (docs/performance.md: RSS 1.05–1.1 GB → 0.76 GB at 110k paragraphs).
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

/** Below this much heap in use a load leaves too little garbage to be worth a full collection. */
const WORTH_COLLECTING_BYTES = 128 * 1024 * 1024;

/**
 * After a large load: a full collection when the heap is big enough for it to give memory back.
 * A one-story index leaves a few MB, and the collection would be ~20 ms of a one-second command.
 */
export function collectGarbageAfterLoad(): void {
  if (v8.getHeapStatistics().used_heap_size >= WORTH_COLLECTING_BYTES) collectGarbage();
}

/** Runs a full garbage collection now (tens of milliseconds; a few hundred at a year's size). */
export function collectGarbage(): void {
  if (!collect) {
    // `gc` is only exposed by a V8 flag; setting it at run time avoids asking every entry point for --expose-gc.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}
