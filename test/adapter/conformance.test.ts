import { describeInteractionStore } from '@hitl/interactions/testing'
import { mapCasStore } from '../../examples/adapters/map-cas-store.js'

// The complete adapter of docs/adapters.md passes the kit it tells readers to run.
describeInteractionStore('map, over compareAndSwapStore', () => mapCasStore())
