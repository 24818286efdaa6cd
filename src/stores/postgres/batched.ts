/**
 * Sends the calls of `work` in batches: a call made while a batch is on its way waits for it to
 * return and goes out with the next one, so concurrent callers share one statement instead of each
 * sending its own, and a lone caller waits for nothing. `work` answers each input of a batch in
 * order; when it fails, every call of the batch fails with its error.
 */
export function batched<I, O>(work: (inputs: I[]) => Promise<O[]>): (input: I) => Promise<O> {
  let waiting: { input: I; resolve: (output: O) => void; reject: (error: unknown) => void }[] = []
  let sending = false

  async function send() {
    sending = true
    while (waiting.length > 0) {
      const batch = waiting
      waiting = []
      try {
        const outputs = await work(batch.map((call) => call.input))
        for (const [i, call] of batch.entries()) call.resolve(outputs[i]!)
      } catch (error) {
        for (const call of batch) call.reject(error)
      }
    }
    sending = false
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject })
      if (!sending) void send()
    })
}
