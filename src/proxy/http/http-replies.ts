// What HAProxy 2.6 answers for HTTP rules: its reason phrases (measured with `http-request
// return status N` for every N from 200 to 599 on 2.6.12) and the built-in error pages
// that `deny`/`tarpit` send when no body is given (`deny_status N`, measured for each N
// HAProxy accepts there). Pure data.

import type { ErrorReply } from './errors.js';
import { errorPage, HTTP_ERRORS } from './errors.js';

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  210: 'Content Different',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  310: 'Too many Redirects',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Time-out',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested range unsatisfiable',
  417: 'Expectation failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Method failure',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  449: 'Retry With',
  450: 'Blocked by Windows Parental Controls',
  451: 'Unavailable For Legal Reasons',
  456: 'Unrecoverable Error',
  499: 'client has closed connection',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway or Proxy Error',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
  505: 'HTTP Version not supported',
  506: 'Variant also negotiate',
  507: 'Insufficient storage',
  508: 'Loop detected',
  509: 'Bandwidth Limit Exceeded',
  510: 'Not extended',
  511: 'Network authentication required',
  520: 'Web server is returning an unknown error',
};

/** HAProxy's reason phrase for `status` (its http_get_reason). */
export function reasonOf(status: number): string {
  const r = REASONS[status];
  if (r !== undefined) return r;
  if (status >= 100 && status < 200) return 'Informational';
  if (status >= 200 && status < 300) return 'Success';
  if (status >= 300 && status < 400) return 'Redirection';
  if (status >= 400 && status < 500) return 'Client Error';
  if (status >= 500 && status < 600) return 'Server Error';
  return 'Other';
}

function page(status: number, reason: string, text: string, close = false): ErrorReply {
  const body = errorPage(status, reason, text);
  const headers: [string, string][] = [
    ['content-length', String(Buffer.byteLength(body))],
    ['cache-control', 'no-cache'],
    ['content-type', 'text/html'],
  ];
  if (close) headers.push(['connection', 'close']);
  return { status, reason, headers, body };
}

/**
 * The statuses `deny_status` takes without a body, and their pages. 400 and 408 carry
 * `connection: close` (HAProxy closes after them); 501's text starts with a '.', as
 * HAProxy's does.
 */
export const RULE_ERROR_PAGES: Readonly<Record<number, ErrorReply>> = {
  200: page(200, 'OK', 'Service ready.'),
  400: page(400, 'Bad request', 'Your browser sent an invalid request.', true),
  401: page(401, 'Unauthorized', 'You need a valid user and password to access this content.'),
  403: HTTP_ERRORS[403],
  404: page(404, 'Not Found', 'The resource could not be found.'),
  405: page(
    405,
    'Method Not Allowed',
    'A request was made of a resource using a request method not supported by that resource',
  ),
  407: page(407, 'Unauthorized', 'You need a valid user and password to access this content.'),
  408: page(408, 'Request Time-out', "Your browser didn't send a complete request in time.", true),
  410: page(410, 'Gone', 'The resource is no longer available and will not be available again.'),
  413: page(413, 'Payload Too Large', 'The request entity exceeds the maximum allowed.'),
  421: page(421, 'Misdirected Request', 'Request sent to a non-authoritative server.'),
  422: page(422, 'Unprocessable Content', 'The server cannot process the contained instructions.'),
  425: page(425, 'Too Early', 'Your browser sent early data.'),
  429: page(429, 'Too Many Requests', 'You have sent too many requests in a given amount of time.'),
  500: HTTP_ERRORS[500],
  501: page(
    501,
    'Not Implemented',
    '.The server does not support the functionality required to fulfill the request.',
  ),
  502: HTTP_ERRORS[502],
  503: HTTP_ERRORS[503],
  504: HTTP_ERRORS[504],
};
