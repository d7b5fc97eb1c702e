import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { ConnectionBanner } from './components/connection-banner';
import { SessionGate } from './components/session-gate';
import { SiteHeader } from './components/site-header';
import { PreferencesProvider } from './lib/preferences';
import { SessionProvider } from './lib/session';
import { themeBootScript } from './lib/theme-boot';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'culturewatch', template: '%s · culturewatch' },
  description: 'Live monitoring and model-based estimates for a non-sterile chemostat',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script of ours, run before paint. */}
        <script dangerouslySetInnerHTML={{ __html: themeBootScript }} />
      </head>
      <body>
        <PreferencesProvider>
          <SessionProvider>
            <a className="skip-link" href="#main">
              Skip to content
            </a>
            <SiteHeader />
            <ConnectionBanner />
            <main id="main" tabIndex={-1}>
              <SessionGate>{children}</SessionGate>
            </main>
          </SessionProvider>
        </PreferencesProvider>
      </body>
    </html>
  );
}
