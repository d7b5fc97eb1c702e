'use client';
/**
 * A jump link (#section) lands below whatever sticks to the top of the window (the site header and
 * the reactor page's toolbar), whose height changes with the window's width and the open range form:
 * the document's scroll padding follows their measured bottom.
 */
import { useEffect } from 'react';

const stickySelector = '.site-header, .toolbar';

export function useStickyScrollPadding(): void {
  useEffect(() => {
    const root = document.documentElement;
    const measure = () => {
      let bottom = 0;
      for (const el of document.querySelectorAll<HTMLElement>(stickySelector)) {
        const style = getComputedStyle(el);
        if (style.position !== 'sticky') continue;
        bottom = Math.max(bottom, (Number.parseFloat(style.top) || 0) + el.offsetHeight);
      }
      root.style.scrollPaddingTop = bottom > 0 ? `${Math.ceil(bottom) + 8}px` : '';
    };
    measure();
    const observer = new ResizeObserver(measure);
    for (const el of document.querySelectorAll(stickySelector)) observer.observe(el);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
      root.style.scrollPaddingTop = '';
    };
  }, []);
}
