// "a" or "an" before a word a message fills in (a layer's class, a format, a type, a size, a class
// name), chosen by the sound the word starts with when read aloud: "an AVIF", "an Add", "an 8×8",
// "an 11-D", but "a GIF", "a Uint8Array", "a 1-D". A capital not followed by a small letter (the
// start of SGDOptimizer, HTMLImageElement, MLP, U-Net) is read as its letter's name: "an SGD", "an
// HTML", "a CNN", "a UNet"; the few capitals read as a word and starting otherwise than their first
// letter's name are listed.

/** The capital letters whose names start with a vowel sound: ay, ee, ef, aitch, eye, el, em, en, oh, ar, es, ex. */
const VOWEL_NAMED_LETTER = /^[AEFHILMNORSX]/;
/** Words in capitals read as a word, where that starts otherwise than their first letter's name (HEIC is "hake"). */
const CAPITALS_READ_AS_WORDS = new Set(['HEIC']);

/** Whether a number read aloud starts with a vowel: eight…, eighty…, eleven…, eighteen… (11 000, 18 000 000). */
function numberTakesAn(digits: string): boolean {
  return digits.startsWith('8') || ((digits.startsWith('11') || digits.startsWith('18')) && digits.length % 3 === 2);
}

/** Whether a word read as a word (not letter by letter) starts with a vowel sound. */
function wordTakesAn(word: string): boolean {
  // A u read as "you" (uint8, unit, user) takes "a"; one read as "uh" (undefined, UpSampling2D,
  // uninitialised) takes "an". So do a "you" spelt eu (Euclidean) and the "w" that one and once start
  // with (OneHot, one-hot).
  return /^[aeiou]/i.test(word) && !/^(u(int|ni(?!n)|s[aeu])|eu|on(e(?!r)|ce))/i.test(word);
}

/** `word` after the article it takes. */
export function withArticle(word: string): string {
  const digits = /^\d+/.exec(word)?.[0];
  const readAsLetter = /^[A-Z](?![a-z])/.test(word) && !CAPITALS_READ_AS_WORDS.has(word);
  const an = digits ? numberTakesAn(digits)
    : readAsLetter ? VOWEL_NAMED_LETTER.test(word)
    : wordTakesAn(word);
  return `${an ? 'an' : 'a'} ${word}`;
}
