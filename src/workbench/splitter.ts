/**
 * A window splitter (WAI-ARIA `separator`, focusable): drag it, or focus it and use the arrow
 * keys (Shift for bigger steps), Home/End for the limits and Enter to restore the default. The
 * value is a percentage of the container, written to a CSS custom property, mirrored in
 * `aria-valuenow`/`aria-valuetext`, and remembered in localStorage.
 */

export interface SplitterOptions {
  handle: HTMLElement;
  /** The element whose size the percentage refers to. */
  container: HTMLElement;
  /** The element that carries the CSS custom property. */
  target: HTMLElement;
  property: string;
  orientation: 'vertical' | 'horizontal';
  min: number;
  max: number;
  initial: number;
  storageKey: string;
  /** For aria-valuetext: "Brief takes 40% of the width". */
  describe: (percent: number) => string;
  /** For a panel measured from the far edge (results below the editor): dragging down makes it smaller. */
  fromEnd?: boolean;
}

export const clampPercent = (value: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, value)));

/** The new value for a key press, or undefined when the key is not the splitter's. */
export function valueAfterKey(key: string, shift: boolean, value: number, options: { min: number; max: number; initial: number; orientation: 'vertical' | 'horizontal'; fromEnd?: boolean }): number | undefined {
  const step = shift ? 10 : 2;
  // Arrows move the divider the way they point; for a panel below it, "up" makes it bigger.
  const grow = options.orientation === 'vertical' ? ['ArrowRight'] : options.fromEnd ? ['ArrowUp'] : ['ArrowDown'];
  const shrink = options.orientation === 'vertical' ? ['ArrowLeft'] : options.fromEnd ? ['ArrowDown'] : ['ArrowUp'];
  if (grow.includes(key)) return clampPercent(value + step, options.min, options.max);
  if (shrink.includes(key)) return clampPercent(value - step, options.min, options.max);
  if (key === 'Home') return options.min;
  if (key === 'End') return options.max;
  if (key === 'Enter') return options.initial;
  return undefined;
}

export function attachSplitter(options: SplitterOptions): { value(): number; set(percent: number): void } {
  const { handle, container, target, property, orientation, min, max, initial, storageKey, describe, fromEnd } = options;
  let current = initial;
  const stored = Number(readStorage(storageKey));
  const set = (percent: number, remember = true) => {
    current = clampPercent(percent, min, max);
    target.style.setProperty(property, `${current}%`);
    handle.setAttribute('aria-valuenow', String(current));
    handle.setAttribute('aria-valuetext', describe(current));
    if (remember) writeStorage(storageKey, String(current));
  };
  set(Number.isFinite(stored) && stored >= min && stored <= max ? stored : initial, false);

  handle.addEventListener('keydown', (event) => {
    const next = valueAfterKey(event.key, event.shiftKey, current, { min, max, initial, orientation, fromEnd });
    if (next === undefined) return;
    event.preventDefault();
    set(next);
  });

  handle.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    handle.setAttribute('data-dragging', '');
    handle.focus();
    const move = (moveEvent: PointerEvent) => {
      const box = container.getBoundingClientRect();
      const fraction = orientation === 'vertical' ? (moveEvent.clientX - box.left) / box.width : (moveEvent.clientY - box.top) / box.height;
      set((fromEnd ? 1 - fraction : fraction) * 100);
    };
    const stop = () => {
      handle.removeAttribute('data-dragging');
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', stop);
      handle.removeEventListener('pointercancel', stop);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', stop);
    handle.addEventListener('pointercancel', stop);
  });
  handle.addEventListener('dblclick', () => set(initial));
  return { value: () => current, set };
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // A layout preference is not worth an error.
  }
}
