export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The shared HTML frame of every Keywarden email: plain, readable without images. */
export function layout(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:560px;margin:24px auto;color:#1d1d1f">
<p style="font-weight:bold;color:#3451b2">Keywarden</p>${body}</body></html>`;
}

/** Every notice email's subject ends with its team, so a reader of several teams sees where it happened. */
export function withTeam(subject: string, teamName: string): string {
  return `${subject} in team "${teamName}"`;
}
