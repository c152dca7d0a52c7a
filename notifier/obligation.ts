// What a Kafka record owes before its offset may be committed: every notification it caused must be
// delivered or have definitively failed. An Obligation counts the holders (aggregation groups that
// took the alert in); it is fulfilled once it is sealed and the last holder released it.
export class Obligation {
  #holders = 0;
  #sealed = false;
  #fulfilled = false;
  readonly #onFulfilled: () => void;

  constructor(onFulfilled: () => void) {
    this.#onFulfilled = onFulfilled;
  }

  get fulfilled(): boolean {
    return this.#fulfilled;
  }

  /** Takes a share; the returned function gives it back (calling it again does nothing). */
  hold(): () => void {
    this.#holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holders--;
      this.#check();
    };
  }

  /** No more holders will come. */
  seal(): void {
    this.#sealed = true;
    this.#check();
  }

  #check(): void {
    if (this.#sealed && this.#holders === 0 && !this.#fulfilled) {
      this.#fulfilled = true;
      this.#onFulfilled();
    }
  }
}
