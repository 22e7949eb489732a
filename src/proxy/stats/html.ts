// The stats page in HAProxy's layout: the process block with the colour legend and display
// options, then one table per proxy (Queue / Session rate / Sessions / Bytes / Denied /
// Errors / Warnings / Server), rows coloured by server state, and the admin form under
// backends when `stats admin` allows it; under `halo run` the VRRP block (html-vrrp.ts)
// above the proxies. halo's own markup and style; pure.

import type { VrrpStatus } from '../../run/show-vrrp.js';
import { escapeHtml } from './html-escape.js';
import { htmlStyle } from './html-style.js';
import { renderVrrpHtml } from './html-vrrp.js';
import type { BackendRow, FrontendRow, ProxyStats, ServerRow, StatsSnapshot } from './snapshot.js';

export interface HtmlOptions {
  /** The stats URI prefix (`stats uri`), for the page's own links. */
  readonly uri: string;
  readonly admin: boolean;
  readonly upOnly: boolean;
  readonly norefresh: boolean;
  /** `;st=` banner code after an admin action. */
  readonly status?: string | undefined;
  readonly refreshSec?: number | undefined;
  /** `halo run`: the VRRP instances, shown above the proxies. */
  readonly vrrp?: VrrpStatus | undefined;
}

export { escapeHtml };

/** HAProxy's human_time: `0s`, `42s`, `3m07s`, `2h05m`, `4d03h`. */
export function humanTime(sec: number): string {
  if (sec < 0) return '?';
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d${two(h)}h`;
  if (h > 0) return `${h}h${two(m)}m`;
  if (m > 0) return `${m}m${two(s)}s`;
  return `${s}s`;
}

const BANNERS: Record<string, [string, string]> = {
  DONE: ['active_up', 'Action processed successfully.'],
  NONE: ['active_going_down', 'Nothing has changed.'],
  PART: ['active_going_down', 'Action partially processed.'],
  ERRP: ['active_down', 'Action not processed because of invalid parameters.'],
  EXCD: ['active_down', "Action not processed: the buffer couldn't store all the data."],
  DENY: ['active_down', 'Action denied.'],
};

export const ADMIN_ACTIONS: readonly [string, string][] = [
  ['', ''],
  ['ready', 'Set state to READY'],
  ['drain', 'Set state to DRAIN'],
  ['maint', 'Set state to MAINT'],
  ['dhlth', 'Health: disable checks'],
  ['ehlth', 'Health: enable checks'],
  ['hrunn', 'Health: force UP'],
  ['hnolb', 'Health: force NOLB'],
  ['hdown', 'Health: force DOWN'],
  ['shutdown', 'Kill Sessions'],
];

function processBlock(snap: StatsSnapshot, o: HtmlOptions): string {
  const i = snap.info;
  const u = escapeHtml(o.uri);
  const keep = o.norefresh ? ';norefresh' : '';
  return `<h3>&gt; General process information</h3>
<table class="info"><tr><td class="facts">
<p><b>pid = </b>${i.pid} (process #${i.processNum}, nbproc = ${i.nbproc}, nbthread = ${i.nbthread})<br>
<b>uptime = </b>${humanTime(i.uptimeSec)}<br>
<b>system limits:</b> memmax = unlimited; ulimit-n = ${i.ulimitN || 'unlimited'}<br>
<b>maxconn = </b>${i.maxconn}; <b>rss = </b>${Math.round(i.memRssBytes / 1048576)} MB<br>
current conns = ${i.currConns}; conn rate = ${i.connRate}/sec<br>
node = ${escapeHtml(i.node)}</p>
</td><td class="legend">${legend()}</td>
<td class="opts"><b>Display option:</b><ul>
<li><a href="${u}${o.upOnly ? '' : ';up'}${keep}">${o.upOnly ? 'Show all servers' : "Hide 'DOWN' servers"}</a>
<li><a href="${u}${o.norefresh ? '' : ';norefresh'}${o.upOnly ? ';up' : ''}">${o.norefresh ? 'Enable refresh' : 'Disable refresh'}</a>
<li><a href="${u}${o.upOnly ? ';up' : ''}${keep}">Refresh now</a>
<li><a href="${u};csv;norefresh">CSV export</a>
<li><a href="${u};json;norefresh">JSON export</a>
</ul></td></tr></table>\n`;
}

function legend(): string {
  const cell = (cls: string, text: string, span = '') =>
    `<td class="${cls}">&nbsp;</td><td class="noborder"${span}>${text}</td>`;
  return `<table class="lgd">
<tr>${cell('active_up', 'active UP')}${cell('backup_up', 'backup UP')}</tr>
<tr>${cell('active_going_down', 'active UP, going down')}${cell('backup_going_down', 'backup UP, going down')}</tr>
<tr>${cell('active_going_up', 'active DOWN, going up')}${cell('backup_going_up', 'backup DOWN, going up')}</tr>
<tr>${cell('active_down', 'active or backup DOWN')}${cell('active_no_check', 'not checked')}</tr>
<tr>${cell('maintain', 'active or backup DOWN for maintenance (MAINT)', ' colspan="3"')}</tr>
<tr>${cell('active_draining', 'active or backup SOFT STOPPED for maintenance', ' colspan="3"')}</tr>
</table>Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.`;
}

const HEAD = `<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th></tr>`;

function tableHead(p: ProxyStats, admin: boolean): string {
  const px = escapeHtml(p.name);
  const all = admin
    ? `<input type="checkbox" title="all servers" onclick="for (const c of document.querySelectorAll('input.${cssName(p.name)}-cb')) c.checked = this.checked">`
    : '';
  return `<table class="tbl px"><tr class="titre"><th class="pxname"><a name="${px}"></a><a class="px" href="#${px}">${px}</a></th><th class="empty"></th></tr></table>
<table class="tbl" data-proxy="${px}">
<tr class="titre"><th rowspan="2">${all}</th><th rowspan="2"></th><th colspan="3">Queue</th><th colspan="3">Session rate</th><th colspan="6">Sessions</th><th colspan="2">Bytes</th><th colspan="2">Denied</th><th colspan="3">Errors</th><th colspan="2">Warnings</th><th colspan="9">Server</th></tr>
${HEAD}\n`;
}

function cssName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

const td = (v: string | number) => `<td>${v}</td>`;

function frontendTr(p: ProxyStats, f: FrontendRow): string {
  const a = `${escapeHtml(p.name)}/Frontend`;
  return (
    `<tr class="frontend"><td></td><td class="ac"><a name="${a}"></a><a class="lfsb" href="#${a}">Frontend</a></td>` +
    `<td colspan="3"></td>${td(f.rate)}${td(f.rateMax)}${td('-')}` +
    `${td(f.scur)}${td(f.smax)}${td(f.slim)}${td(f.stot)}${td('')}${td('')}` +
    `${td(f.bin)}${td(f.bout)}${td(f.dreq)}${td(0)}${td(f.ereq)}${td('')}${td('')}${td('')}${td('')}` +
    `<td class="ac">${f.open ? 'OPEN' : 'STOP'}</td><td colspan="8"></td></tr>\n`
  );
}

/** The row colour, as HAProxy picks it from the server's state. */
export function serverClass(s: ServerRow): string {
  if (s.maint) return 'maintain';
  const kind = s.backup ? 'backup' : 'active';
  if (!s.check || s.check.disabled)
    return s.up ? (s.drain ? `${kind}_draining` : `${kind}_no_check`) : `${kind}_down`;
  if (s.up && s.drain) return `${kind}_draining`;
  if (s.up) return s.transitional ? `${kind}_going_down` : `${kind}_up`;
  return s.transitional ? `${kind}_going_up` : `${kind}_down`;
}

function lastCheck(s: ServerRow): string {
  const c = s.check;
  if (!c || c.disabled) return '';
  const title = escapeHtml(c.info ? `${c.desc}: ${c.info}` : c.desc);
  const code = c.code !== undefined ? `/${c.code}` : '';
  const dur = c.durationMs !== undefined ? ` in ${c.durationMs}ms` : '';
  return `<span title="${title}">${c.status}${code}${dur}</span>`;
}

function serverTr(p: ProxyStats, s: ServerRow, admin: boolean): string {
  const a = `${escapeHtml(p.name)}/${escapeHtml(s.name)}`;
  const cb = admin
    ? `<input class="${cssName(p.name)}-cb" type="checkbox" name="s" value="${escapeHtml(s.name)}">`
    : '';
  const checked = s.check && !s.check.disabled;
  const status = s.maint ? 'MAINT' : `${humanTime(s.lastChange)} ${escapeHtml(s.status)}`;
  return (
    `<tr class="${serverClass(s)}" data-server="${escapeHtml(s.name)}"><td>${cb}</td><td class="ac"><a name="${a}"></a><a class="lfsb" href="#${a}">${escapeHtml(s.name)}</a></td>` +
    `${td(s.qcur)}${td(s.qmax)}${td(s.qlimit ?? '-')}${td(s.rate)}${td(s.rateMax)}${td('')}` +
    `${td(s.scur)}${td(s.smax)}${td(s.slim ?? '-')}${td(s.stot)}${td(s.lbtot)}${td(humanTime(s.lastSess))}` +
    `${td(s.bin)}${td(s.bout)}${td('')}${td(0)}${td('')}${td(s.econ)}${td(s.eresp)}${td(s.wretr)}${td(s.wredis)}` +
    `<td class="ac status">${status}</td><td class="ac">${lastCheck(s)}</td>` +
    `<td class="ac">${s.weight}/${s.uweight}</td><td class="ac">${s.backup ? '-' : 'Y'}</td><td class="ac">${s.backup ? 'Y' : '-'}</td>` +
    `${td(checked ? s.chkfail : '')}${td(checked ? s.chkdown : '')}${td(checked ? humanTime(s.downtime) : '')}<td class="ac">-</td></tr>\n`
  );
}

function backendTr(p: ProxyStats, b: BackendRow): string {
  const a = `${escapeHtml(p.name)}/Backend`;
  return (
    `<tr class="backend"><td></td><td class="ac"><a name="${a}"></a><a class="lfsb" href="#${a}">Backend</a></td>` +
    `${td(b.qcur)}${td(b.qmax)}${td('')}${td(b.rate)}${td(b.rateMax)}${td('')}` +
    `${td(b.scur)}${td(b.smax)}${td(b.slim ?? '')}${td(b.stot)}${td(b.lbtot)}${td(humanTime(b.lastSess))}` +
    `${td(b.bin)}${td(b.bout)}${td(0)}${td(0)}${td('')}${td(b.econ)}${td(b.eresp)}${td(b.wretr)}${td(b.wredis)}` +
    `<td class="ac">${humanTime(b.lastChange)} ${b.up ? 'UP' : 'DOWN'}</td><td class="ac">&nbsp;</td>` +
    `<td class="ac">${b.weight}/${b.weight}</td><td class="ac">${b.act}</td><td class="ac">${b.bck}</td>` +
    `${td('')}${td(b.chkdown)}${td(p.servers.length > 0 ? humanTime(b.downtime) : '')}${td('')}</tr>\n`
  );
}

function adminForm(p: ProxyStats): string {
  const options = ADMIN_ACTIONS.map(([v, t]) => `<option value="${v}">${t}</option>`).join('');
  return `<div class="admin">Choose the action to perform on the checked servers : <select name="action">${options}</select>
<input type="hidden" name="b" value="#${p.iid}"><input type="submit" value="Apply"></div>\n`;
}

function proxyBlock(p: ProxyStats, o: HtmlOptions): string {
  const admin = o.admin && p.servers.length > 0;
  let h = tableHead(p, admin);
  if (p.frontend) h += frontendTr(p, p.frontend);
  for (const s of p.servers) if (!o.upOnly || s.up) h += serverTr(p, s, admin);
  if (p.backend) h += backendTr(p, p.backend);
  h += '</table>\n';
  if (admin) h = `<form method="post" action="${escapeHtml(o.uri)}">${h}${adminForm(p)}</form>\n`;
  return `${h}<p>\n`;
}

function banner(o: HtmlOptions): string {
  const b = o.status ? BANNERS[o.status] : undefined;
  if (!b) return '';
  return `<p><div class="${b[0]} banner"><a class="lfsb" href="${escapeHtml(o.uri)}" title="Remove this message">[X]</a> ${b[1]}</div>\n`;
}

export function renderHtml(snap: StatsSnapshot, o: HtmlOptions): string {
  const i = snap.info;
  const version = i.hideVersion
    ? ''
    : `<h2>${escapeHtml(i.name)} version ${escapeHtml(i.version)}</h2>\n`;
  let h = `<!DOCTYPE html>
<html><head><title>Statistics Report for HAProxy</title>
<meta charset="utf-8"><link rel="icon" href="data:,">
<style>${htmlStyle}</style></head>
<body><h1>HAProxy <small>(halo)</small></h1>
${version}<h2>Statistics Report for pid ${i.pid}${o.refreshSec && !o.norefresh ? `, refreshed every ${o.refreshSec}s` : ''}</h2>
<hr class="hr">
${processBlock(snap, o)}${o.vrrp ? renderVrrpHtml(o.vrrp) : ''}${banner(o)}`;
  for (const p of snap.proxies) h += proxyBlock(p, o);
  return `${h}</body></html>\n`;
}
