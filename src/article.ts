// "a" or "an" before a word a message fills in (a layer's class, a format, a type, a size), chosen by
// the sound the word starts with when read aloud: "an AVIF", "an Add", "an 8×8", "an 11-D", but "a
// GIF", "a Uint8Array", "a 1-D". Letters spelt out (an "MLP") are not told apart from words: the
// names convas fills in are read as words.

/** Whether a number read aloud starts with a vowel: eight…, eighty…, eleven…, eighteen… (11 000, 18 000 000). */
function numberTakesAn(digits: string): boolean {
  return digits.startsWith('8') || ((digits.startsWith('11') || digits.startsWith('18')) && digits.length % 3 === 2);
}

/** `word` after the article it takes. */
export function withArticle(word: string): string {
  const digits = /^\d+/.exec(word)?.[0];
  // A u read as "you" (uint8, unit, user, a capital U spelt out: UNet) takes "a"; one read as "uh"
  // (undefined, UpSampling2D, uninitialised) takes "an". So do a "you" spelt eu (Euclidean) and the
  // "w" that one and once start with (OneHot, one-hot).
  const an = digits ? numberTakesAn(digits)
    : /^[aeiou]/i.test(word) && !/^(u(int|ni(?!n)|s[aeu])|eu|on(e(?!r)|ce))/i.test(word) && !/^U(?![a-z])/.test(word);
  return `${an ? 'an' : 'a'} ${word}`;
}
