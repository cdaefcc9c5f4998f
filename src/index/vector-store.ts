import hnswlib from 'hnswlib-node';

const { HierarchicalNSW } = hnswlib;

export interface Neighbor {
  /** Position of the paragraph in the index's paragraph list. */
  label: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * Nearest-neighbour search over unit vectors. The HNSW file implements it today; a vector
 * database (Qdrant, pgvector) can implement it when a corpus outgrows one machine's memory.
 */
export interface VectorStore {
  readonly dimensions: number;
  readonly size: number;
  /** The k most similar vectors, best first; `accept` limits the search to some labels. */
  search(query: Float32Array, k: number, accept?: (label: number) => boolean): Neighbor[];
  /** The stored (unit) vector of a label. */
  vector(label: number): Float32Array;
}

export interface HnswParameters {
  /** Links per node: higher means better recall, more memory. */
  M: number;
  /** Candidate list size while building: higher means a better graph, slower build. */
  efConstruction: number;
  /** Candidate list size while searching (EF_SEARCH): higher means better recall, slower query. */
  efSearch: number;
  /** Fixed so the same corpus builds the same graph. */
  randomSeed: number;
}

/**
 * Tuned with `npm run bench` on 100,000 clustered 512-d vectors, 2 cores (docs/performance.md):
 * M=16, efSearch=64 gives recall@10 0.999 against exact search at ~0.5 ms (>200× faster than
 * brute force). efConstruction 100 builds the graph in half the time of 200 for the same recall
 * at efSearch ≥ 48 (hnswlib-node adds points on one thread); M=12 builds faster still but leaves
 * less margin (0.993). Uniform random vectors, which have no structure, need far more (see the doc).
 */
export const DEFAULT_HNSW: HnswParameters = { M: 16, efConstruction: 100, efSearch: 64, randomSeed: 100 };

type Graph = InstanceType<typeof HierarchicalNSW>;

/**
 * The HNSW graph (hnswlib-node, cosine space) behind the VectorStore interface. Callers see
 * positions 0..size-1 (a paragraph's place in the index). They are the graph's own labels until
 * paragraphs are removed: removed ones are marked deleted in the graph (hnswlib's `markDelete`,
 * not a rebuild), or left out of the label map, and the positions after them close up, so
 * `graphLabels` then maps each position to its label; new vectors get labels after the last.
 *
 * The labels may live in two graphs: the base (labels 0..B-1) and a small delta graph that new
 * stories are added to (labels B on, stored from 0 in it). Adding a story then reads and writes
 * the delta only, not the base (240 MB at a year's size, seconds to read and write); searches
 * ask both and merge. `foldDelta` moves the delta into the base when a build reads both anyway.
 */
export class HnswStore implements VectorStore {
  private constructor(
    /** Undefined when only the delta was read (see `readDelta`): such a store can be added to and saved, not searched. */
    private base: Graph | undefined,
    private baseElements: number,
    private delta: Graph | undefined,
    readonly dimensions: number,
    /** Position → graph label, once paragraphs were removed; identity while undefined. Plain arrays: appends push. */
    private graphLabels?: number[],
    /** Graph label → position (−1 for a removed one), the inverse of `graphLabels`. */
    private positions?: number[],
  ) {}

  /** A new, empty graph for `capacity` vectors. */
  static create(dimensions: number, capacity: number, params: HnswParameters): HnswStore {
    return new HnswStore(newGraph(dimensions, capacity, params), 0, undefined, dimensions);
  }

  /**
   * Reads a graph written by `save` (and its delta, when there is one), with the position → label
   * map written beside it when paragraphs were removed (`labels`); throws if a file is damaged
   * or the map does not fit.
   */
  static read(file: string, dimensions: number, efSearch: number, labels?: Int32Array, deltaFile?: string): HnswStore {
    return HnswStore.assemble(readGraph(file, dimensions), deltaFile ? readGraph(deltaFile, dimensions) : undefined, dimensions, efSearch, labels);
  }

  /** `read` on libuv threads (a year's graph is 240 MB, over a second to read), so the caller can load other things meanwhile. */
  static async readInBackground(file: string, dimensions: number, efSearch: number, labels?: Int32Array, deltaFile?: string): Promise<HnswStore> {
    const base = new HierarchicalNSW('cosine', dimensions);
    const delta = deltaFile ? new HierarchicalNSW('cosine', dimensions) : undefined;
    await Promise.all([base.readIndex(file), delta?.readIndex(deltaFile!)]);
    return HnswStore.assemble(base, delta, dimensions, efSearch, labels);
  }

  /**
   * `readInBackground` of a generation whose base graph file is the one `loaded` was read from (a
   * later generation that linked it): the base graph in memory is shared, not read again, and
   * only the delta is read. Neither store may then be added to.
   */
  static async withBaseOf(loaded: HnswStore, efSearch: number, labels?: Int32Array, deltaFile?: string): Promise<HnswStore> {
    if (!loaded.base) throw new Error('HnswStore.withBaseOf: no base graph to share.');
    const delta = deltaFile ? new HierarchicalNSW('cosine', loaded.dimensions) : undefined;
    if (delta) await delta.readIndex(deltaFile!);
    return HnswStore.assemble(loaded.base, delta, loaded.dimensions, efSearch, labels);
  }

  /**
   * The delta graph alone (a new, empty one when `deltaFile` is undefined), for adding vectors
   * after a base of `baseElements` entries that is not read; `labels` as for `read`.
   */
  static readDelta(baseElements: number, deltaFile: string | undefined, dimensions: number, params: HnswParameters, labels?: Int32Array): HnswStore {
    const delta = deltaFile ? readGraph(deltaFile, dimensions) : newGraph(dimensions, 1, params);
    const store = new HnswStore(undefined, baseElements, delta, dimensions);
    if (labels) store.mapPositions(labels);
    return store;
  }

  private static assemble(base: Graph, delta: Graph | undefined, dimensions: number, efSearch: number, labels?: Int32Array): HnswStore {
    base.setEf(efSearch);
    delta?.setEf(efSearch);
    const store = new HnswStore(base, base.getCurrentCount(), delta, dimensions);
    if (labels) store.mapPositions(labels);
    return store;
  }

  /** How many vectors can be searched (removed ones not counted). */
  get size(): number {
    return this.graphLabels?.length ?? this.elements;
  }

  /** Entries in the graphs, removed ones too. */
  get elements(): number {
    return this.baseElements + (this.delta?.getCurrentCount() ?? 0);
  }

  /** Entries in the delta graph (0 without one). */
  get deltaElements(): number {
    return this.delta?.getCurrentCount() ?? 0;
  }

  /** Whether the base graph was read (see `readDelta`). */
  get hasBase(): boolean {
    return this.base !== undefined;
  }

  /** Vectors marked removed that the graph still holds (a full build drops them). */
  get removed(): number {
    return this.elements - this.size;
  }

  /** The position → graph label map to store beside the graph; undefined while positions are the labels. */
  get labelMap(): Int32Array | undefined {
    return this.graphLabels && Int32Array.from(this.graphLabels);
  }

  /** Makes room for `count` more vectors (a graph read from a file is full). */
  reserve(count: number): void {
    const graph = this.delta ?? this.base!;
    const needed = graph.getCurrentCount() + count;
    if (needed > graph.getMaxElements()) graph.resizeIndex(needed);
  }

  /** Adds the vector of the next position (`position` must be `size`): to the delta graph when there is one. */
  add(position: number, vector: Float32Array): void {
    if (position !== this.size) throw new Error(`HnswStore.add: position ${position} is not the next one (${this.size})`);
    const label = this.elements;
    if (this.delta) this.delta.addPoint(Array.from(vector), label - this.baseElements);
    else this.base!.addPoint(Array.from(vector), label);
    if (!this.delta) this.baseElements = label + 1;
    this.graphLabels?.push(label);
    this.positions?.push(position);
  }

  /** Moves the delta graph's vectors into the base graph, under the same labels. */
  foldDelta(): void {
    const { base, delta } = this;
    if (!delta || !base) return;
    const count = delta.getCurrentCount();
    base.resizeIndex(Math.max(base.getMaxElements(), this.baseElements + count));
    for (let i = 0; i < count; i++) base.addPoint(delta.getPoint(i), this.baseElements + i);
    for (let i = 0; i < count; i++) if (this.positions && (this.positions[this.baseElements + i] ?? -1) < 0) base.markDelete(this.baseElements + i);
    this.baseElements += count;
    this.delta = undefined;
  }

  /** Removes the vectors at `removed` positions; the positions after them close up. */
  remove(removed: Iterable<number>): void {
    const gone = new Set(removed);
    if (gone.size === 0) return;
    const kept: number[] = [];
    for (let position = 0; position < this.size; position++) {
      const label = this.labelAt(position);
      if (!gone.has(position)) kept.push(label);
      else {
        const held = this.graphOf(label);
        held.graph.markDelete(held.label);
      }
    }
    this.mapPositions(kept);
  }

  vector(position: number): Float32Array {
    const { graph, label } = this.graphOf(this.labelAt(position));
    return Float32Array.from(graph.getPoint(label));
  }

  setEfSearch(efSearch: number): void {
    this.base?.setEf(efSearch);
    this.delta?.setEf(efSearch);
  }

  search(query: Float32Array, k: number, accept?: (position: number) => boolean): Neighbor[] {
    const count = Math.min(k, this.size);
    if (count <= 0) return [];
    if (!this.base) throw new Error('HnswStore.search: the base graph was not read.');
    const positions = this.positions;
    const first = this.baseElements;
    const point = Array.from(query);
    const found: Array<{ label: number; distance: number }> = [];
    for (const [graph, offset] of [[this.base, 0], [this.delta, first]] as const) {
      const available = graph ? Math.min(count, graph.getCurrentCount()) : 0;
      if (!graph || available === 0) continue;
      // hnswlib wants ef >= k; a larger request than the configured ef must still return k results.
      if (graph.getEf() < available) graph.setEf(available);
      // Labels the map leaves out were removed (a generation that kept the previous graph file need not have marked them deleted in it).
      const filter = positions
        ? (label: number) => (positions[label + offset] ?? -1) >= 0 && (!accept || accept(positions[label + offset]!))
        : accept && offset > 0
          ? (label: number) => accept(label + offset)
          : accept;
      let result: { neighbors: number[]; distances: number[] };
      try {
        result = graph.searchKnn(point, available, filter);
      } catch (error) {
        // A delta whose every entry is filtered out has nothing to give; the base must answer.
        if (offset > 0) continue;
        throw error;
      }
      result.neighbors.forEach((label, i) => found.push({ label: label + offset, distance: result.distances[i] ?? 1 }));
    }
    if (this.delta) found.sort((a, b) => a.distance - b.distance || a.label - b.label);
    return found
      .slice(0, count)
      .map(({ label, distance }) => ({ label: positions ? (positions[label] ?? -1) : label, similarity: 1 - distance }))
      .filter((neighbor) => neighbor.label >= 0);
  }

  save(file: string): void {
    this.base!.writeIndexSync(file);
  }

  /** `save` on a libuv thread, so the caller can go on (the graph must not change until it resolves). */
  async saveInBackground(file: string): Promise<void> {
    await this.base!.writeIndex(file);
  }

  /** The delta graph's `saveInBackground`. */
  async saveDeltaInBackground(file: string): Promise<void> {
    await this.delta!.writeIndex(file);
  }

  private labelAt(position: number): number {
    return this.graphLabels ? this.graphLabels[position]! : position;
  }

  private graphOf(label: number): { graph: Graph; label: number } {
    if (label >= this.baseElements && this.delta) return { graph: this.delta, label: label - this.baseElements };
    if (!this.base) throw new Error('HnswStore: the base graph was not read.');
    return { graph: this.base, label };
  }

  private mapPositions(labels: ArrayLike<number>): void {
    const count = this.elements;
    const positions = new Array<number>(count).fill(-1);
    const graphLabels = Array.from(labels);
    graphLabels.forEach((label, position) => {
      if (!(label >= 0 && label < count) || positions[label] !== -1) throw new Error('The label map does not fit the graph.');
      positions[label] = position;
    });
    this.graphLabels = graphLabels;
    this.positions = positions;
  }
}

/** A graph file written by `save`, read on this thread. */
function readGraph(file: string, dimensions: number): Graph {
  const graph = new HierarchicalNSW('cosine', dimensions);
  graph.readIndexSync(file);
  return graph;
}

function newGraph(dimensions: number, capacity: number, params: HnswParameters): Graph {
  const graph = new HierarchicalNSW('cosine', dimensions);
  graph.initIndex({ maxElements: Math.max(1, capacity), m: params.M, efConstruction: params.efConstruction, randomSeed: params.randomSeed });
  graph.setEf(params.efSearch);
  return graph;
}
