/** The stored theme, put on <html data-theme> by an inline script before the page first paints. */
export const themeStorageKey = 'culturewatch.theme';

/** Runs before hydration (inlined in <head>): the stored theme, else the system's. */
export const themeBootScript = `(function(){try{var t=localStorage.getItem('${themeStorageKey}');if(t!=='light'&&t!=='dark'){t=window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}document.documentElement.dataset.theme=t}catch(e){}})();`;
