// Which offset of one partition may be committed: the records are settled out of order (each when
// its notifications are), and the commit point only moves past a record once it and every record
// before it is settled.
export class PartitionOffsets {
  /** Offsets in arrival (= offset) order, with whether each is settled. */
  readonly #queue: { offset: bigint; settled: boolean }[] = [];
  readonly #byOffset = new Map<bigint, { offset: bigint; settled: boolean }>();
  #committable: bigint | undefined;

  add(offset: string): void {
    const item = { offset: BigInt(offset), settled: false };
    this.#queue.push(item);
    this.#byOffset.set(item.offset, item);
  }

  /** Marks a record settled; returns the next offset to commit when the commit point moved. */
  settle(offset: string): string | undefined {
    const item = this.#byOffset.get(BigInt(offset));
    if (item === undefined) return undefined;
    item.settled = true;
    let moved = false;
    while (this.#queue.length > 0 && (this.#queue[0] as { settled: boolean }).settled) {
      const head = this.#queue.shift() as { offset: bigint };
      this.#byOffset.delete(head.offset);
      this.#committable = head.offset + 1n;
      moved = true;
    }
    return moved ? String(this.#committable) : undefined;
  }

  get pending(): number {
    return this.#queue.length;
  }
}
