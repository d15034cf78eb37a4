/** "1 image", "2 images": a count with its noun, singular or plural. */
export const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
