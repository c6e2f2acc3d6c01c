/**
 * Keyboard behaviour of a WAI-ARIA tablist: one tab in the Tab order (roving tabindex), arrows
 * move between tabs and select them, Home/End jump to the ends. Works on tabs added later.
 */
export function manageTablist(list: HTMLElement, onSelect: (tab: HTMLElement) => void): { select(tab: HTMLElement, focus?: boolean): void } {
  const tabs = () => [...list.querySelectorAll<HTMLElement>('[role="tab"]')].filter((tab) => !tab.hidden);
  const select = (tab: HTMLElement, focus = false) => {
    for (const other of tabs()) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
    }
    if (focus) tab.focus();
    onSelect(tab);
  };
  list.addEventListener('click', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLElement>('[role="tab"]');
    if (tab && list.contains(tab)) select(tab);
  });
  list.addEventListener('keydown', (event) => {
    const all = tabs();
    const index = all.indexOf(document.activeElement as HTMLElement);
    if (index < 0) return;
    const horizontal = list.getAttribute('aria-orientation') !== 'vertical';
    const next = horizontal ? 'ArrowRight' : 'ArrowDown';
    const previous = horizontal ? 'ArrowLeft' : 'ArrowUp';
    let target: HTMLElement | undefined;
    if (event.key === next) target = all[(index + 1) % all.length];
    else if (event.key === previous) target = all[(index - 1 + all.length) % all.length];
    else if (event.key === 'Home') target = all[0];
    else if (event.key === 'End') target = all.at(-1);
    if (!target) return;
    event.preventDefault();
    select(target, true);
  });
  return { select };
}
