import { authedGet } from './api';

/**
 * CSV exports are plain authenticated GETs; the file is fetched with the
 * session token (never put in a URL) and handed to the browser as a Blob.
 */
export async function downloadCsv(serverUrl: string, token: string, path: string, filename: string): Promise<void> {
  const res = await authedGet(serverUrl, token, path);
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // Give the download a moment to start before the URL goes away.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

export const csvFilename = (kind: 'keys' | 'audit', teamName: string) =>
  `keywarden-${kind}-${teamName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${new Date().toISOString().slice(0, 10)}.csv`;
