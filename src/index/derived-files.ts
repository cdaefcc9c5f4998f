// The files the layers above derive from the paragraph texts (the search files), as the index
// asks for them: made in full, extended by an append, or without removed stories.


/** Makes the derived files of a generation (see {@link BuildOptions.derivedFiles}). */
export interface DerivedFileMaker {
  /** The files for every paragraph. */
  derive(input: DerivationInput): Record<string, DerivedFile>;
  /** The previous generation's files extended by appended paragraphs; undefined when they cannot be (everything is then built anew). */
  extend(input: ExtensionInput): Record<string, DerivedFile> | undefined;
  /** The previous generation's files without removed stories' paragraphs; undefined when they cannot be (everything is then built anew). */
  remove?(input: RemovalInput): Record<string, DerivedFile> | undefined;
  /** Whether a generation's files are the ones this version makes; when not, an unchanged corpus still gets them made anew. */
  current?(dir: string, paragraphs: number): boolean;
}

/** What derived files are made from: the paragraph texts in label order, and how many belong to each story in turn. */
export interface DerivationInput {
  texts: readonly string[];
  storyParagraphs: readonly number[];
  /** Each story's language (BCP-47 primary subtag), in the same order: how its words become terms. English where absent. */
  storyLanguages?: ReadonlyArray<string | undefined> | undefined;
  /** Each paragraph's graph label, by position; the position itself when absent. Files keyed by labels stay valid when other paragraphs are removed. */
  labels?: ArrayLike<number> | undefined;
}

/** What derived files are extended with when paragraphs were appended to a generation. */
export interface ExtensionInput {
  previousDir: string;
  /** How many labels the previous generation held. */
  previousParagraphs: number;
  /** The appended paragraphs' texts. */
  addedTexts: readonly string[];
  /** The graph label of the first appended paragraph (the others follow it). */
  firstLabel: number;
  /** Every paragraph's graph label by position, when they are not the positions (for deriving the files anew). */
  labels?: ArrayLike<number> | undefined;
  /** Paragraphs per story, every story in label order. */
  storyParagraphs: readonly number[];
  /** Each story's language, every story in label order (English where absent). */
  storyLanguages?: ReadonlyArray<string | undefined> | undefined;
  /** The previous generation's paragraphs, whose texts are read from its paragraph file as they are asked for. */
  previousTexts(): ReadonlyArray<{ readonly text: string }> | undefined;
}

/** What derived files lose when stories are removed from a generation. */
export interface RemovalInput {
  previousDir: string;
  /** How many paragraphs the previous generation held. */
  previousParagraphs: number;
  /** Indexes of the removed stories in the previous generation's story list. */
  removedStories: ReadonlySet<number>;
  /** The removed paragraphs' texts. */
  removedTexts: readonly string[];
  /** The removed paragraphs' languages, by text (English where absent). */
  removedLanguages?: ReadonlyArray<string | undefined> | undefined;
  /** Paragraphs per story, every story left in label order. */
  storyParagraphs: readonly number[];
}

/** A derived file's content, or an existing file (of the previous generation) whose bytes it keeps: linked, not rewritten. */
export type DerivedFile = string | Uint8Array | { sameAs: string };
