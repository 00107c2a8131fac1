/*
 * tun.node: the one piece of native code in testbed.
 *
 * Node cannot issue the TUNSETIFF ioctl that attaches a file descriptor to a
 * tun interface, and reading a character device through libuv's thread pool
 * costs a thread hop per packet. This addon does both jobs:
 *
 *   open(name)            -> { fd, name }   create/attach a tun device (IFF_TUN | IFF_NO_PI), non-blocking
 *   start(fd, onPackets)  -> reader handle  watch the fd on Node's own event loop (uv_poll); when it is
 *                                           readable, read every packet that is ready and hand them to
 *                                           JS in one call as (buffer, lengths[])
 *   write(fd, buffer)     -> bytes written or -errno (never throws on EAGAIN etc.)
 *   stop(handle)          stop watching
 *   stats(handle)         -> { packets, batches, drops }
 *   netlink(protocol)     -> fd             a netlink socket (bound, non-blocking): start() reads its
 *                                           datagrams and write() sends to the kernel as for a tun device
 *                                           (the agent's NFLOG listener for access list `log` lines)
 *
 * Only N-API, POSIX and five libuv functions (declared below; their symbols
 * are Node's own) are used, so the file compiles with gcc against the
 * node-api-headers package alone, inside the router image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <unistd.h>

#include <node_api.h>

/* libuv, as Node exports it: opaque handles, sized at run time with uv_handle_size. */
typedef struct uv_poll_s uv_poll_t;
typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);
typedef void (*uv_close_cb)(void *handle);
extern size_t uv_handle_size(int type);
extern int uv_poll_init(struct uv_loop_s *loop, uv_poll_t *handle, int fd);
extern int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
extern int uv_poll_stop(uv_poll_t *handle);
extern void uv_close(void *handle, uv_close_cb cb);
#define UV_POLL_TYPE 8 /* UV_POLL in uv_handle_type */
#define UV_READABLE 1

#define MAX_PACKET 65536
#define BATCH_BYTES (1024 * 1024)
#define BATCH_PACKETS 512

typedef struct {
  int fd;
  uv_poll_t *poll; /* its first field (data) points back here */
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  uint8_t *data;
  uint32_t lengths[BATCH_PACKETS];
  int stopped;
  double packets, batches, drops;
} reader_t;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[IFNAMSIZ] = {0};
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "open(name): name must be a string");
    return NULL;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, len < IFNAMSIZ - 1 ? len : IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "ioctl TUNSETIFF", err);
  }
  napi_value result, jfd, jname;
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &jfd);
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &jname);
  napi_set_named_property(env, result, "fd", jfd);
  napi_set_named_property(env, result, "name", jname);
  return result;
}

/* On the main thread, when the tun fd is readable: read what is ready, hand it to JS in one call. */
static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  reader_t *r = *(reader_t **)handle;
  if (r->stopped || status < 0) return;
  napi_env env = r->env;
  for (int rounds = 0; rounds < 8; rounds++) {
    size_t used = 0, count = 0;
    while (count < BATCH_PACKETS && used + MAX_PACKET <= BATCH_BYTES) {
      ssize_t n = read(r->fd, r->data + used, MAX_PACKET);
      if (n <= 0) break;
      r->lengths[count++] = (uint32_t)n;
      used += (size_t)n;
    }
    if (count == 0) return;
    r->packets += (double)count;
    r->batches += 1;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value buf, lens, cb, recv, result;
    void *dst = NULL;
    napi_create_buffer_copy(env, used, r->data, &dst, &buf);
    napi_create_array_with_length(env, count, &lens);
    for (size_t i = 0; i < count; i++) {
      napi_value v;
      napi_create_uint32(env, r->lengths[i], &v);
      napi_set_element(env, lens, (uint32_t)i, v);
    }
    napi_get_reference_value(env, r->callback, &cb);
    napi_get_global(env, &recv);
    napi_value argv[2] = {buf, lens};
    if (napi_make_callback(env, r->async, recv, cb, 2, argv, &result) == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err); /* reaches process.on('uncaughtException') */
    }
    napi_close_handle_scope(env, scope);
    if (count < BATCH_PACKETS && used + MAX_PACKET <= BATCH_BYTES) return; /* drained */
  }
}

static void free_poll(void *handle) { free(handle); }

static void stop_reader(reader_t *r) {
  if (r->stopped) return;
  r->stopped = 1;
  uv_poll_stop(r->poll);
  uv_close(r->poll, free_poll);
  r->poll = NULL;
}

static void finalize_reader(napi_env env, void *data, void *hint) {
  (void)hint;
  reader_t *r = data;
  stop_reader(r);
  napi_delete_reference(env, r->callback);
  napi_async_destroy(env, r->async);
  free(r->data);
  free(r);
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "start(fd, onPackets): fd must be a number");
    return NULL;
  }
  struct uv_loop_s *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) {
    napi_throw_error(env, NULL, "no event loop");
    return NULL;
  }
  reader_t *r = calloc(1, sizeof *r);
  if (r == NULL) return throw_errno(env, "calloc", ENOMEM);
  r->fd = fd;
  r->env = env;
  r->data = malloc(BATCH_BYTES);
  r->poll = calloc(1, uv_handle_size(UV_POLL_TYPE));
  if (r->data == NULL || r->poll == NULL) {
    free(r->data);
    free(r->poll);
    free(r);
    return throw_errno(env, "reader setup", ENOMEM);
  }
  napi_create_reference(env, argv[1], 1, &r->callback);
  napi_value name;
  napi_create_string_utf8(env, "tun-reader", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &r->async);
  int err = uv_poll_init(loop, r->poll, fd);
  if (err == 0) {
    *(reader_t **)r->poll = r; /* handle->data */
    err = uv_poll_start(r->poll, UV_READABLE, on_readable);
  }
  if (err != 0) {
    free(r->poll);
    r->poll = NULL;
    r->stopped = 1;
    napi_throw_error(env, NULL, "uv_poll_start failed");
    return NULL;
  }
  napi_value handle;
  napi_create_object(env, &handle);
  napi_wrap(env, handle, r, finalize_reader, NULL, NULL);
  return handle;
}

static reader_t *unwrap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *r = NULL;
  if (argc < 1 || napi_unwrap(env, argv[0], &r) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a reader handle");
    return NULL;
  }
  return r;
}

static napi_value js_stop(napi_env env, napi_callback_info info) {
  reader_t *r = unwrap(env, info);
  if (r != NULL) stop_reader(r);
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  reader_t *r = unwrap(env, info);
  if (r == NULL) return NULL;
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_double(env, r->packets, &v);
  napi_set_named_property(env, o, "packets", v);
  napi_create_double(env, r->batches, &v);
  napi_set_named_property(env, o, "batches", v);
  napi_create_double(env, r->drops, &v);
  napi_set_named_property(env, o, "drops", v);
  return o;
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t len;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "write(fd, buffer)");
    return NULL;
  }
  ssize_t n = write(fd, data, len);
  napi_value result;
  napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &result);
  return result;
}

static napi_value js_netlink(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t protocol;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &protocol) != napi_ok) {
    napi_throw_type_error(env, NULL, "netlink(protocol): protocol must be a number");
    return NULL;
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (fd < 0) return throw_errno(env, "socket AF_NETLINK", errno);
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind AF_NETLINK", err);
  }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, js_write, NULL, NULL, NULL, napi_default, NULL},
      {"netlink", NULL, js_netlink, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
