import { customAlphabet } from 'nanoid'

/** Letters and digits only: no `_` or `-`, so a double-click selects a whole id and none reads as `iact__…` or `iact_-…`. */
const INTERACTION_ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** 21 characters of 62 carry 125 bits of randomness, about as much as a default nanoid (126). */
export const INTERACTION_ID_RANDOM_LENGTH = 21

const randomPart = customAlphabet(INTERACTION_ID_ALPHABET, INTERACTION_ID_RANDOM_LENGTH)

/** A new interaction id: `iact_` and 21 random letters and digits. */
export const newInteractionId = () => `iact_${randomPart()}`
