// A network's busy state while fit runs, and the errors for the calls it refuses meanwhile.

/**
 * null: idle; 'fit': fit runs, between chunks; 'chunk': a chunk runs off the event loop, writing
 * the weights; 'arguments': a call is reading its arguments, whose getters may call back in.
 */
export type Busy = 'fit' | 'chunk' | 'arguments' | null;

/** Changing the network, or a second fit: refused from fit's start until it settles. */
function assertIdle(busy: Busy, what: string): void {
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
function assertReadable(busy: Busy, what: string): void {
  if (busy === 'chunk') {
    throw new Error(
      `Cannot ${what} while this network is training (a chunk is running off the event loop); read it in onEpochEnd or after fit() settles`,
    );
  }
}

/** One network's busy state, with the guards every public call goes through. */
export class BusyState {
  state: Busy = null;

  get training(): boolean {
    return this.state === 'fit' || this.state === 'chunk';
  }

  assertIdle(what: string): void {
    assertIdle(this.state, what);
  }

  assertReadable(what: string): void {
    assertReadable(this.state, what);
  }

  /** Marks the network busy as `state`, from idle only; leave() ends it. */
  enter(what: string, state: Exclude<Busy, null>): void {
    assertIdle(this.state, what);
    this.state = state;
  }

  leave(): void {
    this.state = null;
  }

  /**
   * Runs `read` (which reads and checks a call's arguments) marked busy, so a getter or Proxy in
   * the arguments cannot start fit or change the network while they are read.
   */
  reading<T>(what: string, read: () => T): T {
    this.enter(what, 'arguments');
    try {
      return read();
    } finally {
      this.leave();
    }
  }
}
