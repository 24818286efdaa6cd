/**
 * Size limits on everything a caller can send. They keep one interaction small enough to store,
 * index and deliver as a signal, and they are documented in docs/concepts.md.
 */
export const LIMITS = {
  /** Actor ids, run ids, topics, idempotency keys, option values. */
  identifier: 256,
  title: 500,
  message: 10_000,
  comment: 10_000,
  optionLabel: 500,
  optionDescription: 2_000,
  options: 200,
  placeholder: 500,
  /** The longest free-form answer, and the ceiling for an input spec's `max_length`. */
  text: 100_000,
  /** Serialized JSON size of `metadata`, in bytes. */
  metadataBytes: 16_384,
  metadataDepth: 10,
  /** Serialized JSON size of a confirm spec's `proposal.value`, and of an approver's edit of it, in bytes. */
  proposalBytes: 16_384,
  /** Serialized JSON size of a confirm spec's `proposal.schema`, in bytes; both nest at most `metadataDepth` levels. */
  proposalSchemaBytes: 16_384,
  /** Members a group may have at creation. */
  members: 10_000,
  inboxPage: 100,
  /** Steps an interaction's `escalation` may have. */
  escalationSteps: 10,
  /** The longest `claim_timeout` or escalation `after`: far beyond any human wait, well inside the dates every store keeps. */
  longestDuration: 'P10Y',
  /**
   * The span of `expires_at` as a UTC instant: years 1 to 9999, whose ISO strings have four-digit
   * years, so every store parses them and they sort as text in time order.
   */
  earliestTime: '0001-01-01T00:00:00.000Z',
  latestTime: '9999-12-31T23:59:59.999Z',
} as const
