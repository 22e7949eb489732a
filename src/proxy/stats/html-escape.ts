// HTML escaping for the stats page's text (proxy, server and tracker names, reasons).

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
