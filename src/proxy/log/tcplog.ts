// `option tcplog`, field for field as HAProxy writes it:
// %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
// Pure: the caller passes the accept date and every counter.

/** The fields tcplog and httplog lines share: who, where, and the connection counters. */
export interface SessionLogFields {
  readonly clientIp: string;
  readonly clientPort: string | number;
  readonly frontend: string;
  readonly backend: string;
  /** Server name, `<NOSRV>`, or an applet's (`<STATS>`). */
  readonly server: string;
  /** Time waiting in queues, -1 if it never got that far. */
  readonly tw: number;
  /** Time to connect to the server, -1 if never connected. */
  readonly tc: number;
  readonly actconn: number;
  readonly feconn: number;
  readonly beconn: number;
  readonly srvconn: number;
  readonly retries: number;
  readonly redispatched: boolean;
  readonly srvQueue: number;
  readonly beQueue: number;
}

export interface TcpLogFields extends SessionLogFields {
  /** Accept time, epoch milliseconds. */
  readonly accepted: number;
  readonly tt: number;
  /** Bytes sent to the client (read from the server). */
  readonly bytes: number;
  /** Two-character termination state, e.g. `--`, `SC`, `cD`. */
  readonly termination: string;
}

export const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

export const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const p3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** `%t`: `25/Nov/2026:18:00:10.291`, local time. */
export function formatAcceptDate(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(
    d.getMinutes(),
  )}:${p2(d.getSeconds())}.${p3(d.getMilliseconds())}`;
}

/** RFC 3164 timestamp: `Nov 25 18:00:10`, day padded with a space. */
export function formatSyslogDate(ms: number): string {
  const d = new Date(ms);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${p2(d.getHours())}:${p2(
    d.getMinutes(),
  )}:${p2(d.getSeconds())}`;
}

/** `%ci:%cp [date] %ft %b/%s`: the start of both line formats. */
export function formatLogHead(f: SessionLogFields, date: number): string {
  return `${f.clientIp}:${f.clientPort} [${formatAcceptDate(date)}] ${f.frontend} ${f.backend}/${f.server}`;
}

/** `%ac/%fc/%bc/%sc/%rc %sq/%bq`, with `+` before the retries when the session was redispatched. */
export function formatLogCounters(f: SessionLogFields): string {
  const rc = f.redispatched ? `+${f.retries}` : String(f.retries);
  return `${f.actconn}/${f.feconn}/${f.beconn}/${f.srvconn}/${rc} ${f.srvQueue}/${f.beQueue}`;
}

export function formatTcpLog(f: TcpLogFields): string {
  return (
    `${formatLogHead(f, f.accepted)} ${f.tw}/${f.tc}/${f.tt} ${f.bytes} ${f.termination} ` +
    formatLogCounters(f)
  );
}
