import type { Locator } from 'playwright-core';

/**
 * The WCAG contrast ratio of an element's text against what is behind it, as
 * Chromium paints it now: the computed colour over the first opaque background
 * found walking up from the element. axe-core leaves a <select>'s own text out
 * of its colour-contrast rule, so the switcher needs this check of its own.
 */
export function contrastOf(locator: Locator): Promise<{ color: string; background: string; ratio: number }> {
  return locator.evaluate((el) => {
    const rgba = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    let node: Element | null = el;
    let background = 'rgb(255, 255, 255)';
    while (node) {
      const bg = getComputedStyle(node).backgroundColor;
      const parts = rgba(bg);
      if (parts.length === 3 || (parts.length === 4 && parts[3]! >= 1)) {
        background = bg;
        break;
      }
      node = node.parentElement;
    }
    const color = getComputedStyle(el).color;
    const luminance = (css: string) => {
      const [r, g, b] = rgba(css).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const [hi, lo] = [luminance(color), luminance(background)].sort((a, b) => b - a);
    return { color, background, ratio: Math.round(((hi! + 0.05) / (lo! + 0.05)) * 100) / 100 };
  });
}
