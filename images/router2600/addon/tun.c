/*
 * tun.node: the one piece of native code in testbed.
 *
 * Node cannot issue the TUNSETIFF ioctl that attaches a file descriptor to a
 * tun interface, and reading a character device through libuv's thread pool
 * costs a thread hop per packet. This addon does both jobs:
 *
 *   open(name)            -> { fd, name }   create/attach a tun device (IFF_TUN | IFF_NO_PI)
 *   start(fd, onPackets)  -> reader handle   a reader thread reads packets in
 *                                            batches and hands them to JS as
 *                                            (buffer, lengths[]) on the main thread
 *   write(fd, buffer)     -> bytes written or -errno (never throws on EAGAIN etc.)
 *   stop(handle)          stop the reader thread
 *   stats(handle)         -> { packets, batches, drops }
 *
 * Only N-API and POSIX are used, so the file compiles with gcc against the
 * node-api-headers package alone, inside the router image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <node_api.h>

#define MAX_PACKET 65536
#define RING_BYTES (8 * 1024 * 1024)
#define RING_PACKETS 8192

typedef struct {
  int fd;
  int wake[2];
  pthread_t thread;
  pthread_mutex_t lock;
  napi_threadsafe_function tsfn;
  /* ring of packets: data bytes and lengths, filled by the reader thread */
  uint8_t *data;
  uint32_t *lengths;
  size_t head_bytes; /* bytes in data */
  size_t count;      /* packets in ring */
  int notified;      /* a call to JS is pending */
  int stopping;
  uint64_t packets, batches, drops;
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

/* Runs on the main thread: move everything queued so far into one Buffer. */
static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  reader_t *r = context;
  if (env == NULL) return;
  pthread_mutex_lock(&r->lock);
  size_t bytes = r->head_bytes, count = r->count;
  napi_value buf = NULL, lens = NULL;
  void *dst = NULL;
  if (count > 0) {
    napi_create_buffer_copy(env, bytes, r->data, &dst, &buf);
    napi_create_array_with_length(env, count, &lens);
    for (size_t i = 0; i < count; i++) {
      napi_value v;
      napi_create_uint32(env, r->lengths[i], &v);
      napi_set_element(env, lens, (uint32_t)i, v);
    }
  }
  r->head_bytes = 0;
  r->count = 0;
  r->notified = 0;
  r->batches++;
  pthread_mutex_unlock(&r->lock);
  if (count == 0) return;
  napi_value undefined, argv[2] = {buf, lens};
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, js_cb, 2, argv, NULL);
}

static void *reader_main(void *arg) {
  reader_t *r = arg;
  uint8_t *pkt = malloc(MAX_PACKET);
  struct pollfd fds[2] = {{.fd = r->fd, .events = POLLIN}, {.fd = r->wake[0], .events = POLLIN}};
  while (pkt != NULL) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    if (!(fds[0].revents & POLLIN)) {
      if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) break;
      continue;
    }
    /* drain what is ready without blocking */
    for (int i = 0; i < 256; i++) {
      ssize_t n = read(r->fd, pkt, MAX_PACKET);
      if (n <= 0) break;
      int notify = 0;
      pthread_mutex_lock(&r->lock);
      if (r->count < RING_PACKETS && r->head_bytes + (size_t)n <= RING_BYTES) {
        memcpy(r->data + r->head_bytes, pkt, (size_t)n);
        r->lengths[r->count++] = (uint32_t)n;
        r->head_bytes += (size_t)n;
        r->packets++;
        if (!r->notified) {
          r->notified = 1;
          notify = 1;
        }
      } else {
        r->drops++;
      }
      pthread_mutex_unlock(&r->lock);
      if (notify) napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
    }
  }
  free(pkt);
  return NULL;
}

static void finalize_reader(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  reader_t *r = data;
  if (!r->stopping) {
    r->stopping = 1;
    (void)!write(r->wake[1], "x", 1);
    pthread_join(r->thread, NULL);
  }
  close(r->wake[0]);
  close(r->wake[1]);
  pthread_mutex_destroy(&r->lock);
  free(r->data);
  free(r->lengths);
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
  reader_t *r = calloc(1, sizeof *r);
  if (r == NULL) return throw_errno(env, "calloc", ENOMEM);
  r->fd = fd;
  r->data = malloc(RING_BYTES);
  r->lengths = malloc(sizeof(uint32_t) * RING_PACKETS);
  if (r->data == NULL || r->lengths == NULL || pipe2(r->wake, O_CLOEXEC) < 0) {
    free(r->data);
    free(r->lengths);
    free(r);
    return throw_errno(env, "reader setup", errno ? errno : ENOMEM);
  }
  pthread_mutex_init(&r->lock, NULL);
  napi_value name;
  napi_create_string_utf8(env, "tun-reader", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, NULL, NULL, r, call_js, &r->tsfn) != napi_ok) {
    napi_throw_error(env, NULL, "napi_create_threadsafe_function failed");
    return NULL;
  }
  napi_value handle;
  napi_create_object(env, &handle);
  napi_wrap(env, handle, r, finalize_reader, NULL, NULL);
  int err = pthread_create(&r->thread, NULL, reader_main, r);
  if (err != 0) return throw_errno(env, "pthread_create", err);
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
  if (r == NULL || r->stopping) return NULL;
  r->stopping = 1;
  (void)!write(r->wake[1], "x", 1);
  pthread_join(r->thread, NULL);
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  reader_t *r = unwrap(env, info);
  if (r == NULL) return NULL;
  napi_value o, v;
  napi_create_object(env, &o);
  pthread_mutex_lock(&r->lock);
  napi_create_double(env, (double)r->packets, &v);
  napi_set_named_property(env, o, "packets", v);
  napi_create_double(env, (double)r->batches, &v);
  napi_set_named_property(env, o, "batches", v);
  napi_create_double(env, (double)r->drops, &v);
  napi_set_named_property(env, o, "drops", v);
  pthread_mutex_unlock(&r->lock);
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, js_write, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
