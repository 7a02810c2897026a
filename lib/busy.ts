// A network's busy state while fit runs, and the errors for the calls it refuses meanwhile.

/**
 * null: idle; 'fit': fit runs, between chunks; 'chunk': a chunk runs off the event loop, writing
 * the weights; 'arguments': a call is reading its arguments, whose getters may call back in.
 */
export type Busy = 'fit' | 'chunk' | 'arguments' | null;

/** Changing the network, or a second fit: refused from fit's start until it settles. */
export function assertIdle(busy: Busy, what: string): void {
  if (busy === 'arguments') {
    throw new Error(
      `Cannot ${what} while this network is reading the arguments of another call (a getter or Proxy in them called back into the network)`,
    );
  }
  if (busy !== null) {
    throw new Error(
      `Cannot ${what} while this network is training (fit() has not settled yet); await it first, or use a copy made with Network.fromJSON(net.toJSON())`,
    );
  }
}

/** Reading the weights: safe between chunks (in onEpochEnd), not while the core writes them. */
export function assertReadable(busy: Busy, what: string): void {
  if (busy === 'chunk') {
    throw new Error(
      `Cannot ${what} while this network is training (a chunk is running off the event loop); read it in onEpochEnd or after fit() settles`,
    );
  }
}
