import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { parseStory, renderStory, storyLanguage } from '../src/corpus/index.js';
import { declaredLanguage, readPageMetadata } from '../src/import/metadata.js';
import { storyOf } from '../src/import/read-story.js';
import { corpusLanguages, detectLanguage, importedStoryLanguage, primaryLanguage, questionLanguage } from '../src/shared/language.js';
import { LexicalIndex } from '../src/search/lexical.js';
import { questionNames, unknownNames } from '../src/search/refusal.js';
import { splitSentences } from '../src/search/sentences.js';
import { contentTerms, toTerm, words } from '../src/search/text.js';
import { fragmentText, textFragmentLink } from '../src/search/text-fragment.js';

const sentencesOf = (text: string) => splitSentences(text).map(({ start, end }) => text.slice(start, end));

describe('words in every script', () => {
  it('cuts a Chinese sentence into several words (no spaces to split at)', () => {
    const found = words('北京是中华人民共和国的首都。');
    expect(found.length).toBeGreaterThanOrEqual(4);
    expect(found).toContain('北京');
    expect(found).toContain('首都');
  });

  it('cuts a Thai sentence into several words', () => {
    const found = words('ประเทศไทยมีประชากรมาก');
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.join('')).toBe('ประเทศไทยมีประชากรมาก');
  });

  it('keeps a Hindi word with vowel signs whole', () => {
    expect(words('किताबें पढ़ता है')).toEqual(['किताबें', 'पढ़ता', 'है']);
  });

  it('keeps Arabic words with their vowel marks whole', () => {
    expect(words('كَتَبَ الوَلَدُ')).toEqual(['كَتَبَ', 'الوَلَدُ']);
  });

  it('leaves English words as they were', () => {
    expect(words("The U.S. didn't pay $6,000 to O'Brien.")).toEqual(['the', 'u.s', "didn't", 'pay', '6', '000', 'to', "o'brien"]);
    expect(contentTerms('Who led the study that took photos?')).toEqual(['lead', 'studi', 'take', 'photo']);
  });
});

describe('terms by language', () => {
  it('meets German inflections (Snowball) and drops German stop words', () => {
    expect(toTerm('mannschaften', 'de')).toBe(toTerm('mannschaft', 'de'));
    expect(toTerm('häuser', 'de')).toBe(toTerm('haus', 'de'));
    expect(toTerm('und', 'de')).toBeUndefined();
    expect(toTerm('der', 'de')).toBeUndefined();
    // The English analysis would keep German stop words and leave the plural alone.
    expect(toTerm('mannschaften')).not.toBe(toTerm('mannschaft'));
  });

  it('meets Russian and Turkish inflections', () => {
    expect(toTerm('городов', 'ru')).toBe(toTerm('город', 'ru'));
    expect(toTerm('evlerden', 'tr')).toBe(toTerm('ev', 'tr'));
    // A Turkish name keeps its term whatever suffix follows the apostrophe.
    expect(toTerm("ankara'da", 'tr')).toBe(toTerm('ankara', 'tr'));
  });

  it('keeps a word whole where no stemmer is safe to use (Bulgarian\'s port throws on some words)', () => {
    expect(toTerm('потери', 'bg')).toBe('потери');
  });

  it('finds a German paragraph from a question in another inflection', () => {
    const index = new LexicalIndex(['Die Mannschaften spielten im Stadion.', 'Das Wetter war schön.'], ['de', 'de']);
    expect(index.query('Welche Mannschaft spielte?', undefined, undefined, undefined, Infinity, 'de')[0]?.label).toBe(0);
  });

  it('finds a Chinese paragraph by its words', () => {
    const index = new LexicalIndex(['北京是中国的首都，人口众多。', '上海是一个港口城市。'], ['zh', 'zh']);
    const hits = index.query('中国的首都是哪里？', undefined, undefined, undefined, Infinity, 'zh');
    expect(hits[0]?.label).toBe(0);
  });
});

describe('refusal names by language', () => {
  it('does not read German capitalised nouns as names', () => {
    const question = 'Welche Mannschaft gewann das Spiel im Jahr 2016?';
    const vocabulary = new Set(contentTerms('Die Mannschaft aus Denver gewann das Spiel 2016 im Stadion.', 'de'));
    expect(unknownNames(questionNames(question, 'de'), vocabulary)).toEqual([]);
    // Read as English, "Jahr" (a noun the story need not repeat) would be a name the story lacks.
    const story = new Set(contentTerms('Die Mannschaft aus Denver gewann das Spiel 2016.', 'de'));
    expect(unknownNames(questionNames(question, 'en'), story).length).toBeGreaterThan(0);
    expect(unknownNames(questionNames(question, 'de'), story)).toEqual([]);
  });

  it('reads month names of the question\'s language as time words, not names', () => {
    expect(questionNames('Что случилось в Мае в Москве?', 'ru')).toEqual([toTerm('москве', 'ru')]);
    expect(questionNames('Ne oldu Mayıs ayında Ankara\'da?', 'tr')).toEqual([toTerm('ankara', 'tr')]);
  });

  it('still counts numbers in German and names in Spanish', () => {
    expect(questionNames('Wann spielte die Mannschaft 1999?', 'de')).toEqual(['1999']);
    expect(questionNames('¿Quién ganó en Denver?', 'es')).toContain(toTerm('denver', 'es'));
  });
});

describe('numbers a story writes otherwise', () => {
  const unknown = (question: string, story: string, language: string) => unknownNames(questionNames(question, language), new Set(contentTerms(story, language)), language);

  it('knows a number the story writes in words, in the question\'s language', () => {
    expect(unknown('What theory came 100 years after the principle?', 'Smith laid it out almost a hundred years before Darwin\'s theory.', 'en')).toEqual([]);
    expect(unknown('Welche Theorie kam 100 Jahre später?', 'Smith stellte es fast hundert Jahre vor Darwins Theorie auf.', 'de')).toEqual([]);
    expect(unknown('¿Qué teoría llegó 100 años después?', 'Smith lo estableció casi cien años antes de la teoría de Darwin.', 'es')).toEqual([]);
    expect(unknown('Какая теория появилась через 100 лет?', 'Смит изложил это почти за сто лет до теории Дарвина.', 'ru')).toEqual([]);
    // Words for another number are no match.
    expect(unknown('What theory came 200 years after the principle?', 'Smith laid it out almost a hundred years before Darwin\'s theory.', 'en')).toEqual(['200']);
  });

  it('knows a decade by a year in it, and never takes one year for another', () => {
    const story = 'Dynasty, un drama de Aaron Spelling, se estrenó en 1981.';
    expect(unknown('¿Qué drama de Aaron Spelling debutó en los años 80?', story, 'es')).toEqual([]);
    expect(unknown('¿Qué drama de Aaron Spelling debutó en la década de 1980?', story, 'es')).toEqual([]);
    expect(unknown('¿Qué drama de Aaron Spelling debutó en los años 90?', story, 'es')).toEqual(['90']);
    // One digit from the story's year: another year, not a typo.
    expect(unknown('What did Trump say to Lavrov in 2019?', 'Trump met Lavrov in the Oval Office in 2017.', 'en')).toEqual(['2019']);
  });
});

describe('sentences in every script', () => {
  it('ends Chinese sentences at 。！？ with no space after', () => {
    expect(sentencesOf('北京是首都。它很大！你去过吗？')).toEqual(['北京是首都。', '它很大！', '你去过吗？']);
  });

  it('ends Hindi sentences at the danda and Arabic ones at ؟', () => {
    expect(sentencesOf('दिल्ली राजधानी है। यह बड़ा शहर है।')).toEqual(['दिल्ली राजधानी है।', 'यह बड़ा शहर है।']);
    expect(sentencesOf('ما هي العاصمة؟ القاهرة هي العاصمة.')).toEqual(['ما هي العاصمة؟', 'القاهرة هي العاصمة.']);
  });

  it('ends Thai sentences at the space between them', () => {
    expect(sentencesOf('ประเทศไทยมีประชากรมาก กรุงเทพเป็นเมืองหลวง')).toEqual(['ประเทศไทยมีประชากรมาก', 'กรุงเทพเป็นเมืองหลวง']);
  });

  it('splits English as before', () => {
    expect(sentencesOf('Gen. Smith went to the U.S. on Monday. He left! Why? 2017 was good.')).toEqual([
      'Gen. Smith went to the U.S. on Monday.',
      'He left!',
      'Why?',
      '2017 was good.',
    ]);
  });
});

describe('a text-fragment link for Chinese', () => {
  it('names a long sentence by its first and last words, substrings of the sentence, under the cap', () => {
    const text = '北京是中华人民共和国的首都，也是全国的政治、文化和国际交往中心，有着三千多年的建城史和八百多年的建都史。它位于华北平原北部。';
    const end = text.indexOf('。') + 1;
    const link = textFragmentLink('https://zh.example.com/a', text, { start: 0, end }, '标题');
    const named = fragmentText(link)!;
    expect(named.end).toBeDefined();
    expect(text.slice(0, end).startsWith(named.start)).toBe(true);
    expect(text.slice(0, end).endsWith(named.end!)).toBe(true);
    expect(link.length).toBeLessThan(2000);
  });
});

describe('language of a story and a question', () => {
  it('reads tags as primary subtags', () => {
    expect(primaryLanguage('de-DE')).toBe('de');
    expect(primaryLanguage('zh_Hans')).toBe('zh');
    expect(primaryLanguage('ENG')).toBe('en');
    expect(primaryLanguage('und')).toBeUndefined();
    expect(primaryLanguage('')).toBeUndefined();
  });

  it('takes the page metadata: JSON-LD inLanguage, og:locale, <html lang>', () => {
    const page = (head: string, lang = '') =>
      readPageMetadata((parseHTML(`<!doctype html><html${lang ? ` lang="${lang}"` : ''}><head>${head}</head><body><p>x</p></body></html>`) as unknown as { document: Document }).document);
    expect(declaredLanguage(page('<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","inLanguage":"es-ES"}</script>', 'en'))).toBe('es');
    expect(declaredLanguage(page('<meta property="og:locale" content="tr_TR">'))).toBe('tr');
    expect(declaredLanguage(page('', 'de'))).toBe('de');
    expect(declaredLanguage(page(''))).toBeUndefined();
  });

  it('detects a story from its text when the page says nothing, and trusts the text over a template in another script', () => {
    const german = ['Die Bundesregierung hat am Mittwoch beschlossen, die Steuern für kleine Unternehmen zu senken.'];
    expect(importedStoryLanguage(undefined, 'Steuern sinken', german)).toBe('de');
    expect(importedStoryLanguage('en', '北京', ['北京是中华人民共和国的首都，也是全国的政治中心。'])).toBe('zh');
    expect(importedStoryLanguage('pt', 'T', ['Um texto qualquer em português do Brasil sobre política.'])).toBe('pt');
  });

  it('writes the language into the front matter at import and reads it back', () => {
    const story = storyOf(
      { attribution: { title: 'Steuern sinken', outlet: 'Zeitung', authors: [], url: 'https://example.de/a' }, paragraphs: ['Die Bundesregierung hat am Mittwoch beschlossen, die Steuern zu senken.'], language: 'de' },
      { source: 'page.html' },
    );
    expect(story.language).toBe('de');
    const text = renderStory(story);
    expect(text).toMatch(/^language: de$/m);
    expect(parseStory('x.md', text).language).toBe('de');
  });

  it('takes a hand-written language over detection, and detects when absent', () => {
    const written = parseStory('a.md', '---\ntitle: T\noutlet: O\nurl: https://example.com/a\nlanguage: ru-RU\n---\n\nHello there, this is English text.\n');
    expect(storyLanguage(written)).toBe('ru');
    const bare = parseStory('b.md', '---\ntitle: Titel\noutlet: O\nurl: https://example.com/b\n---\n\nDie Bundesregierung hat am Mittwoch beschlossen, die Steuern für kleine Unternehmen zu senken.\n');
    expect(storyLanguage(bare)).toBe('de');
  });

  it('reads a question by its script, then among the corpus languages, else the dominant one', () => {
    expect(questionLanguage('谁赢得了比赛？', ['en', 'zh'])).toBe('zh');
    expect(questionLanguage('Welche Mannschaft gewann das Spiel?', ['en', 'de'])).toBe('de');
    expect(questionLanguage('Which team won the game?', ['en', 'de'])).toBe('en');
    expect(questionLanguage('Who won?', ['en'])).toBe('en');
    expect(questionLanguage('2016', ['de', 'en'])).toBe('de');
    expect(detectLanguage('Ποιος κέρδισε τον αγώνα;')).toBe('el');
    expect(corpusLanguages([{ language: 'de' }, { language: 'en' }, { language: 'de' }, {}])).toEqual(['de', 'en']);
  });

  it('keeps a short question in the corpus\'s main language unless its words clearly say another', () => {
    // "me" and "a" are Spanish stop words too: alone, the detector's vote goes to Spanish.
    expect(detectLanguage('tell me a joke', ['en', 'es', 'de'])).toBe('es');
    expect(questionLanguage('tell me a joke', ['en', 'es', 'de'])).toBe('en');
    expect(questionLanguage('Wer hat gewonnen?', ['en', 'es', 'de'])).toBe('de');
    expect(questionLanguage('¿Quién ganó el partido?', ['en', 'es', 'de'])).toBe('es');
    expect(questionLanguage('Qui a gagné le match ?', ['en', 'fr'])).toBe('fr');
  });
});

describe('bold markers around Chinese and right-to-left sentences', () => {
  it('puts ** right against the sentence, whatever comes before and after it', async () => {
    const { quoteParagraph } = await import('../src/answer/discord.js');
    const chinese = '北京是首都。它有很多人口！你去过吗？';
    expect(quoteParagraph(chinese, splitSentences(chinese)[1], 4096)).toBe('> 北京是首都。**它有很多人口！**你去过吗？');
    const thai = 'ประเทศไทยมีประชากรมาก กรุงเทพเป็นเมืองหลวง';
    expect(quoteParagraph(thai, splitSentences(thai)[1], 4096)).toBe('> ประเทศไทยมีประชากรมาก **กรุงเทพเป็นเมืองหลวง**');
    const arabic = 'ما هي العاصمة؟ القاهرة هي العاصمة. إنها كبيرة.';
    expect(quoteParagraph(arabic, splitSentences(arabic)[1], 4096)).toBe('> ما هي العاصمة؟ **القاهرة هي العاصمة.** إنها كبيرة.');
    // A span that starts on the space before the sentence still opens the bold on its first letter.
    expect(quoteParagraph(arabic, { start: 14, end: 34 }, 4096)).toBe('> ما هي العاصمة؟ **القاهرة هي العاصمة.** إنها كبيرة.');
  });
});
