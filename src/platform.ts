// Where the code runs, for the few places that must choose between Node and browser APIs.

/** True in Node (and in its worker threads); false in browsers and their workers. */
export const runsInNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
