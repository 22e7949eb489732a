// halo_os: the few Linux socket calls Node.js has no API for (raw IP, AF_PACKET, AF_NETLINK).
// Also the accept side of halo's listeners (listen, accept, pausable polling).
// Deliberately generic and thin: socket addresses, socket options, packet and netlink
// formats are all built and parsed in TypeScript (src/os/); this file only moves bytes,
// reads the ancillary data the kernel attaches (TTL / hop limit, arrival interface,
// destination address) and lets libuv tell JavaScript when a descriptor is readable.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <sched.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) return NULL;                                        \
  } while (0)

// Throws an Error shaped like Node's own system errors: code 'EPERM', errno, syscall.
// The errno's name comes from the libuv inside Node (uv_err_name_r), not from glibc's
// strerrorname_np: that one needs glibc 2.32, and the prebuilt addon must load on older
// distributions (RHEL 8: glibc 2.28). Errnos libuv has no name for are "EUNKNOWN".
static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  char msg[256], name[64];
  uv_err_name_r(-err, name, sizeof name);
  if (name[0] != 'E') snprintf(name, sizeof name, "EUNKNOWN");
  snprintf(msg, sizeof msg, "%s %s (%s)", syscall, name, strerror(err));
  napi_value code, message, error, num, sys;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "errno", num);
  napi_set_named_property(env, error, "syscall", sys);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    throw_type(env, "missing arguments");
    return 0;
  }
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    throw_type(env, "expected an integer");
    return 0;
  }
  return 1;
}

// Accepts any Uint8Array (Buffer included); null/undefined gives an empty view.
static int get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) {
    throw_type(env, "expected a Uint8Array");
    return 0;
  }
  napi_typedarray_type type;
  size_t count, offset;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &count, data, &ab, &offset) != napi_ok ||
      type != napi_uint8_array) {
    throw_type(env, "expected a Uint8Array");
    return 0;
  }
  *len = count;
  return 1;
}

static napi_value num(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

// socket(domain, type, protocol) -> fd; always non-blocking and close-on-exec.
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t domain, type, proto;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &domain) ||
      !get_int(env, argv[1], &type) || !get_int(env, argv[2], &proto))
    return NULL;
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return throw_errno(env, errno, "socket");
  return num(env, fd);
}

// bind(fd, sockaddr bytes)
static napi_value js_bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *addr;
  size_t len;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd) ||
      !get_bytes(env, argv[1], &addr, &len))
    return NULL;
  if (bind(fd, (struct sockaddr *)addr, (socklen_t)len) < 0)
    return throw_errno(env, errno, "bind");
  return NULL;
}

// setsockopt(fd, level, name, value): value is an int or the option's raw bytes.
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, level, name, ival;
  if (!get_args(env, info, 4, argv) || !get_int(env, argv[0], &fd) ||
      !get_int(env, argv[1], &level) || !get_int(env, argv[2], &name))
    return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  void *val;
  size_t len;
  if (t == napi_number) {
    if (!get_int(env, argv[3], &ival)) return NULL;
    val = &ival;
    len = sizeof ival;
  } else if (!get_bytes(env, argv[3], &val, &len)) {
    return NULL;
  }
  if (setsockopt(fd, level, name, val, (socklen_t)len) < 0)
    return throw_errno(env, errno, "setsockopt");
  return NULL;
}

// attachFilter(fd, classic BPF program as 8-byte sock_filter records, reuseport). A
// filter that returns 0 turns a send-only raw socket into one that queues nothing. With
// `reuseport` true the program goes to the socket's SO_REUSEPORT group instead
// (SO_ATTACH_REUSEPORT_CBPF) and returns the index of the socket that takes each new
// connection: a process taking over a port (`-sf`) steers them all to its own socket.
static napi_value js_attach_filter(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  void *prog;
  size_t len;
  bool reuseport = false;
  size_t argc = 3; // the third is optional: N-API passes undefined for it
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) return throw_type(env, "missing arguments");
  if (!get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &prog, &len)) return NULL;
  napi_valuetype t;
  if (argc > 2 && napi_typeof(env, argv[2], &t) == napi_ok && t == napi_boolean)
    napi_get_value_bool(env, argv[2], &reuseport);
  if (len == 0 || len % sizeof(struct sock_filter) != 0)
    return throw_type(env, "filter length must be a multiple of 8");
  struct sock_fprog fprog = {(unsigned short)(len / sizeof(struct sock_filter)),
                             (struct sock_filter *)prog};
  int opt = reuseport ? SO_ATTACH_REUSEPORT_CBPF : SO_ATTACH_FILTER;
  if (setsockopt(fd, SOL_SOCKET, opt, &fprog, sizeof fprog) < 0)
    return throw_errno(env, errno, "setsockopt");
  return NULL;
}

// sendto(fd, data, sockaddr bytes or null) -> bytes sent
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  void *data, *addr;
  size_t len, alen;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd) ||
      !get_bytes(env, argv[1], &data, &len) || !get_bytes(env, argv[2], &addr, &alen))
    return NULL;
  ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)addr, (socklen_t)alen);
  if (n < 0) return throw_errno(env, errno, "sendto");
  return num(env, (double)n);
}

static void set_num(napi_env env, napi_value obj, const char *key, double d) {
  napi_set_named_property(env, obj, key, num(env, d));
}

static void set_copy(napi_env env, napi_value obj, const char *key, const void *p, size_t n) {
  napi_value buf;
  void *dst;
  napi_create_buffer_copy(env, n, p, &dst, &buf);
  napi_set_named_property(env, obj, key, buf);
}

// recvmsg(fd, maxLength) -> null when nothing is queued, else
// { data, address, truncated, ttl?, hopLimit?, ifindex?, destination? }
static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, max;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd) ||
      !get_int(env, argv[1], &max))
    return NULL;
  if (max <= 0 || max > (1 << 20)) return throw_type(env, "maxLength out of range");
  void *buf = malloc((size_t)max);
  if (!buf) return throw_errno(env, ENOMEM, "recvmsg");
  struct sockaddr_storage from;
  char control[512];
  struct iovec iov = {buf, (size_t)max};
  struct msghdr msg = {&from, sizeof from, &iov, 1, control, sizeof control, 0};
  ssize_t n;
  do n = recvmsg(fd, &msg, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    free(buf);
    if (err == EAGAIN || err == EWOULDBLOCK) {
      napi_value nul;
      napi_get_null(env, &nul);
      return nul;
    }
    return throw_errno(env, err, "recvmsg");
  }
  napi_value out, tr;
  napi_create_object(env, &out);
  set_copy(env, out, "data", buf, (size_t)n);
  free(buf);
  set_copy(env, out, "address", &from, msg.msg_namelen);
  napi_get_boolean(env, (msg.msg_flags & MSG_TRUNC) != 0, &tr);
  napi_set_named_property(env, out, "truncated", tr);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      set_num(env, out, "ttl", v);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      set_num(env, out, "ifindex", pi.ipi_ifindex);
      set_copy(env, out, "destination", &pi.ipi_addr, 4);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      set_num(env, out, "hopLimit", v);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      set_num(env, out, "ifindex", pi.ipi6_ifindex);
      set_copy(env, out, "destination", &pi.ipi6_addr, 16);
    }
  }
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &fd)) return NULL;
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close");
  return NULL;
}

static napi_value js_if_nametoindex(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[IF_NAMESIZE + 1];
  size_t len;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok)
    return throw_type(env, "expected a string");
  return num(env, if_nametoindex(name));
}

// setns(fd, nstype): moves the calling (main) thread into another namespace; sockets
// opened afterwards belong to it. Used by the lab tests to drive several namespaces.
static napi_value js_setns(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, nstype;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd) ||
      !get_int(env, argv[1], &nstype))
    return NULL;
  if (setns(fd, nstype) < 0) return throw_errno(env, errno, "setns");
  return NULL;
}

// listen(fd, backlog): halo's listening sockets are bound here or by libuv but never
// listened on by libuv, whose accept loop takes every queued connection at once. halo
// accepts them itself (accept below) and stops polling at maxconn, so the rest wait in
// the kernel's accept queue, as with HAProxy.
static napi_value js_listen(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, backlog;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd) ||
      !get_int(env, argv[1], &backlog))
    return NULL;
  if (listen(fd, backlog) < 0) return throw_errno(env, errno, "listen");
  return NULL;
}

// accept(fd) -> the new connection's fd (non-blocking, close-on-exec), or -errno:
// -EAGAIN when the queue is empty, -EMFILE... The caller loops; errors are returned rather
// than thrown because they are part of the normal flow of an accept loop.
static napi_value js_accept(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &fd)) return NULL;
  int c;
  do c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  while (c < 0 && errno == EINTR);
  napi_value out;
  napi_create_int32(env, c < 0 ? -errno : c, &out);
  return out;
}

// Readiness: one uv_poll per descriptor; JavaScript drains the socket with recvmsg.
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context ctx;
} watcher_t;

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  watcher_t *w = (watcher_t *)handle->data;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value cb, recv, arg, result;
  napi_get_reference_value(w->env, w->callback, &cb);
  napi_get_global(w->env, &recv);
  napi_create_int32(w->env, status, &arg);
  // make_callback runs the microtask and nextTick queues afterwards, like Node's own I/O.
  if (napi_make_callback(w->env, w->ctx, recv, cb, 1, &arg, &result) == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(w->env, &exc);
    napi_fatal_exception(w->env, exc);
  }
  napi_close_handle_scope(w->env, scope);
}

static void on_close(uv_handle_t *handle) {
  watcher_t *w = (watcher_t *)handle->data;
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->ctx);
  free(w);
}

static void finalize_noop(napi_env env, void *data, void *hint) {
  (void)env, (void)data, (void)hint;
}

// watch(fd, callback(status)) -> handle; the callback runs whenever fd is readable.
static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2], name, ext;
  int32_t fd;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd)) return NULL;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, ENOMEM, "uv_poll_init");
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc < 0) {
    free(w);
    return throw_errno(env, -rc, "uv_poll_init");
  }
  w->env = env;
  w->poll.data = w;
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_create_string_utf8(env, "HaloSocketWatch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->ctx);
  rc = uv_poll_start(&w->poll, UV_READABLE, on_poll);
  if (rc < 0) {
    uv_close((uv_handle_t *)&w->poll, on_close);
    return throw_errno(env, -rc, "uv_poll_start");
  }
  CHECK(napi_create_external(env, w, finalize_noop, NULL, &ext));
  return ext;
}

static watcher_t *get_watcher(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) throw_type(env, "expected a watch handle");
  return (watcher_t *)p;
}

// unwatch(handle): stops polling and frees the handle; call it before closing the fd.
static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  watcher_t *w = get_watcher(env, argv[0]);
  if (!w) return NULL;
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_close);
  return NULL;
}

// pollWatch(handle, on): stops or restarts polling without freeing the handle (a
// listener at maxconn). A stopped poll does not keep the event loop alive.
static napi_value js_poll_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  bool on;
  if (!get_args(env, info, 2, argv)) return NULL;
  watcher_t *w = get_watcher(env, argv[0]);
  if (!w) return NULL;
  napi_get_value_bool(env, argv[1], &on);
  int rc = on ? uv_poll_start(&w->poll, UV_READABLE, on_poll) : uv_poll_stop(&w->poll);
  if (rc < 0) return throw_errno(env, -rc, on ? "uv_poll_start" : "uv_poll_stop");
  return NULL;
}

// refWatch(handle, keepsLoopAlive): a monitor that should not hold the process open.
static napi_value js_ref_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  bool on;
  if (!get_args(env, info, 2, argv)) return NULL;
  watcher_t *w = get_watcher(env, argv[0]);
  if (!w) return NULL;
  napi_get_value_bool(env, argv[1], &on);
  if (on)
    uv_ref((uv_handle_t *)&w->poll);
  else
    uv_unref((uv_handle_t *)&w->poll);
  return NULL;
}

#define EXPORT_FN(name, fn)                                                    \
  do {                                                                         \
    napi_value f;                                                              \
    CHECK(napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f));    \
    CHECK(napi_set_named_property(env, exports, name, f));                     \
  } while (0)

static napi_value init(napi_env env, napi_value exports) {
  EXPORT_FN("socket", js_socket);
  EXPORT_FN("bind", js_bind);
  EXPORT_FN("setsockopt", js_setsockopt);
  EXPORT_FN("attachFilter", js_attach_filter);
  EXPORT_FN("sendto", js_sendto);
  EXPORT_FN("recvmsg", js_recvmsg);
  EXPORT_FN("close", js_close);
  EXPORT_FN("ifNameToIndex", js_if_nametoindex);
  EXPORT_FN("setns", js_setns);
  EXPORT_FN("watch", js_watch);
  EXPORT_FN("unwatch", js_unwatch);
  EXPORT_FN("refWatch", js_ref_watch);
  EXPORT_FN("pollWatch", js_poll_watch);
  EXPORT_FN("listen", js_listen);
  EXPORT_FN("accept", js_accept);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
