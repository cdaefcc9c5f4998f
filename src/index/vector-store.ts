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

/**
 * The HNSW graph (hnswlib-node, cosine space) behind the VectorStore interface. Callers see
 * positions 0..size-1 (a paragraph's place in the index). They are the graph's own labels until
 * paragraphs are removed: removed ones are marked deleted in the graph (hnswlib's `markDelete`,
 * not a rebuild) and the positions after them close up, so `graphLabels` then maps each position
 * to its label in the graph; new vectors get labels after the graph's last.
 */
export class HnswStore implements VectorStore {
  private constructor(
    private readonly graph: InstanceType<typeof HierarchicalNSW>,
    readonly dimensions: number,
    /** Position → graph label, once paragraphs were removed; identity while undefined. Plain arrays: appends push. */
    private graphLabels?: number[],
    /** Graph label → position (−1 for a removed one), the inverse of `graphLabels`. */
    private positions?: number[],
  ) {}

  /** A new, empty graph for `capacity` vectors. */
  static create(dimensions: number, capacity: number, params: HnswParameters): HnswStore {
    const graph = new HierarchicalNSW('cosine', dimensions);
    graph.initIndex({ maxElements: Math.max(1, capacity), m: params.M, efConstruction: params.efConstruction, randomSeed: params.randomSeed });
    graph.setEf(params.efSearch);
    return new HnswStore(graph, dimensions);
  }

  /**
   * Reads a graph written by `save`, with the position → label map written beside it when
   * paragraphs were removed (`labels`); throws if the file is damaged or the map does not fit it.
   */
  static read(file: string, dimensions: number, efSearch: number, labels?: Int32Array): HnswStore {
    const graph = new HierarchicalNSW('cosine', dimensions);
    graph.readIndexSync(file);
    graph.setEf(efSearch);
    const store = new HnswStore(graph, dimensions);
    if (labels) store.mapPositions(labels);
    return store;
  }

  /** `read` on a libuv thread (a year's graph is 240 MB, over a second to read), so the caller can load other things meanwhile. */
  static async readInBackground(file: string, dimensions: number, efSearch: number, labels?: Int32Array): Promise<HnswStore> {
    const graph = new HierarchicalNSW('cosine', dimensions);
    await graph.readIndex(file);
    graph.setEf(efSearch);
    const store = new HnswStore(graph, dimensions);
    if (labels) store.mapPositions(labels);
    return store;
  }

  /** How many vectors can be searched (removed ones not counted). */
  get size(): number {
    return this.graphLabels?.length ?? this.graph.getCurrentCount();
  }

  /** Vectors marked removed that the graph still holds (a full build drops them). */
  get removed(): number {
    return this.graph.getCurrentCount() - this.size;
  }

  /** Entries in the graph, removed ones too. */
  get elements(): number {
    return this.graph.getCurrentCount();
  }

  /** The position → graph label map to store beside the graph; undefined while positions are the labels. */
  get labelMap(): Int32Array | undefined {
    return this.graphLabels && Int32Array.from(this.graphLabels);
  }

  /** Makes room for `count` more vectors (a graph read from a file is full). */
  reserve(count: number): void {
    const needed = this.graph.getCurrentCount() + count;
    if (needed > this.graph.getMaxElements()) this.graph.resizeIndex(needed);
  }

  /** Adds the vector of the next position (`position` must be `size`). */
  add(position: number, vector: Float32Array): void {
    if (position !== this.size) throw new Error(`HnswStore.add: position ${position} is not the next one (${this.size})`);
    const label = this.graph.getCurrentCount();
    this.graph.addPoint(Array.from(vector), label);
    this.graphLabels?.push(label);
    this.positions?.push(position);
  }

  /** Removes the vectors at `removed` positions; the positions after them close up. */
  remove(removed: Iterable<number>): void {
    const gone = new Set(removed);
    if (gone.size === 0) return;
    const kept: number[] = [];
    for (let position = 0; position < this.size; position++) {
      const label = this.labelAt(position);
      if (gone.has(position)) this.graph.markDelete(label);
      else kept.push(label);
    }
    this.mapPositions(kept);
  }

  vector(position: number): Float32Array {
    return Float32Array.from(this.graph.getPoint(this.labelAt(position)));
  }

  setEfSearch(efSearch: number): void {
    this.graph.setEf(efSearch);
  }

  search(query: Float32Array, k: number, accept?: (position: number) => boolean): Neighbor[] {
    const count = Math.min(k, this.size);
    if (count <= 0) return [];
    // hnswlib wants ef >= k; a larger request than the configured ef must still return k results.
    if (this.graph.getEf() < count) this.graph.setEf(count);
    const positions = this.positions;
    // Labels the map leaves out were removed (a generation that kept the previous graph file need not have marked them deleted in it).
    const filter = positions ? (label: number) => positions[label]! >= 0 && (!accept || accept(positions[label]!)) : accept;
    const result = this.graph.searchKnn(Array.from(query), count, filter);
    const found = result.neighbors.map((label, i) => ({ label: positions ? (positions[label] ?? -1) : label, similarity: 1 - (result.distances[i] ?? 1) }));
    // A label the map does not know (never expected: removed ones are not returned) is left out.
    return positions ? found.filter((neighbor) => neighbor.label >= 0) : found;
  }

  save(file: string): void {
    this.graph.writeIndexSync(file);
  }

  /** `save` on a libuv thread, so the caller can go on (the graph must not change until it resolves). */
  async saveInBackground(file: string): Promise<void> {
    await this.graph.writeIndex(file);
  }

  private labelAt(position: number): number {
    return this.graphLabels ? this.graphLabels[position]! : position;
  }

  private mapPositions(labels: ArrayLike<number>): void {
    const count = this.graph.getCurrentCount();
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
