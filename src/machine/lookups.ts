import { actorKey, sameActor, type Actor } from '../model/actor.js'
import type { Interaction } from '../model/interaction.js'

/**
 * Lookups in a record's members and responses without comparing actors one by one: in a frozen list a
 * lookup costs the same in a group of 10 000 as in one of 10, in another list one pointer comparison
 * per indexed entry. A list's index lives with its first entry, since a record's members and
 * responses only grow at the end from one version to the next, and a copy of a list holds the same
 * entries. Only frozen entries are indexed, as the memory store keeps them: they cannot change under
 * the index. Before a lookup trusts an index, the list is checked to start with the entries it has
 * seen (one pointer comparison each; once for a frozen list); a stale or forked list gets a new
 * index. Lists of entries that are not frozen (as the PostgreSQL store parses them afresh for each
 * decision) are scanned.
 */

type RecordedResponse = Interaction['responses'][number]
type Entry = Actor | RecordedResponse

/**
 * A list is indexed once its first entry has been looked up this many times. Indexing a long list
 * costs about as much as that many scans of it, so a list looked up a few times (a first-responder
 * group's members) never pays for an index, and one looked up on every answer soon has one.
 */
const SCANS_BEFORE_INDEX = 8
/** A list shorter than this is scanned: reading it costs less than keeping an index of it. */
const SHORTEST_INDEXED = 64

/** What one index has seen of a list, in order, and the position of each actor's first entry. */
interface ListIndex {
  seen: Entry[]
  positions: Map<string, number>
  /** The last list found to start with `seen`; when it is frozen, further lookups in it need no check. */
  checked?: readonly Entry[]
}

/** Under the first entry of a list: its index, or how many lookups went without one. */
const indexes = new WeakMap<Entry, ListIndex | number>()

const actorOf = (entry: Entry): Actor => ('actor' in entry ? entry.actor : entry)
const isFrozenEntry = (entry: Entry) => Object.isFrozen(entry) && Object.isFrozen(actorOf(entry))

/** Whether `list` starts with the very entries of `prefix`. */
function startsWith(list: readonly Entry[], prefix: readonly Entry[]): boolean {
  if (prefix.length > list.length) return false
  for (let at = 0; at < prefix.length; at++) if (list[at] !== prefix[at]) return false
  return true
}

/** The index of `list`, brought up to its end, or undefined while the list is scanned instead. */
function indexOf(list: readonly Entry[]): ListIndex | undefined {
  const first = list[0]
  if (list.length < SHORTEST_INDEXED || first === undefined || !isFrozenEntry(first)) return undefined
  let index = indexes.get(first) ?? 0
  if (typeof index === 'number') {
    if (index < SCANS_BEFORE_INDEX) {
      indexes.set(first, index + 1)
      return undefined
    }
  } else if (index.checked === list && Object.isFrozen(list)) {
    // A list that may still change is checked on every lookup.
    return index
  }
  if (typeof index === 'number' || !startsWith(list, index.seen)) {
    index = { seen: [], positions: new Map() }
    indexes.set(first, index)
  }
  for (let at = index.seen.length; at < list.length; at++) {
    const entry = list[at]!
    // An entry that may still change stays out, with all after it: they are scanned.
    if (!isFrozenEntry(entry)) break
    const key = actorKey(actorOf(entry))
    if (!index.positions.has(key)) index.positions.set(key, at)
    index.seen.push(entry)
  }
  index.checked = list
  return index
}

/** Where the first entry of `actor` stands in `list` (a list of actors, or of responses by their actor), or -1. */
export function positionOf(list: readonly Entry[], actor: Actor): number {
  const index = indexOf(list)
  const position = index?.positions.get(actorKey(actor))
  if (position !== undefined) return position
  for (let at = index?.seen.length ?? 0; at < list.length; at++) if (sameActor(actorOf(list[at]!), actor)) return at
  return -1
}
