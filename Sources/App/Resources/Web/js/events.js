// The app's in-page event bus: pages and the shell talk through named events, never through each other.

const target = new EventTarget();

/** Sends `name` with `detail` to every listener. */
export function emit(name, detail) {
  target.dispatchEvent(new CustomEvent(name, { detail }));
}

/** Listens to `name`; returns a function that stops listening. */
export function on(name, fn) {
  const listener = (e) => fn(e.detail);
  target.addEventListener(name, listener);
  return () => target.removeEventListener(name, listener);
}
