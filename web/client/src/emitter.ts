// A minimal typed event emitter. A listener that throws does not stop the others or the
// connection: its error is rethrown on its own, as browsers do with event listeners.
export class Emitter<E> {
  private listeners = new Map<keyof E, Set<(value: never) => void>>();

  on<K extends keyof E>(event: K, fn: (value: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (value: never) => void);
    return () => {
      set.delete(fn as (value: never) => void);
    };
  }

  emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        (fn as (value: E[K]) => void)(value);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}
