/*
 * malloc.node: what glibc's malloc holds in the agent's process, for the
 * soak (src/agent/io/memory.ts), not for the router's work.
 *
 *   stats() -> { arena, inUse, free, mmapped, releasable }   bytes, summed over all of malloc's arenas
 *        arena: obtained from the system by sbrk/arena mmaps; inUse: in allocated chunks; free: in free
 *        chunks (held by malloc, resident or not); mmapped: chunks mmapped on their own; releasable:
 *        the free top of the main arena, what a trim would give back from the end (glibc's mallinfo2)
 *   trim() -> boolean
 *        malloc_trim(0): give the free pages of every arena back to the system (madvise), whether
 *        or not they are at the top; true when some memory was released
 *
 * A process whose RSS grows while `inUse` stays flat is not leaking: malloc
 * keeps the pages it was given, and a trim shows how much of the RSS is free.
 */
#include <malloc.h>

#include <node_api.h>

static napi_value number_prop(napi_env env, napi_value obj, const char *name, size_t value) {
  napi_value v;
  napi_create_double(env, (double)value, &v);
  napi_set_named_property(env, obj, name, v);
  return obj;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  (void)info;
  struct mallinfo2 m = mallinfo2();
  napi_value obj;
  napi_create_object(env, &obj);
  number_prop(env, obj, "arena", m.arena);
  number_prop(env, obj, "inUse", m.uordblks);
  number_prop(env, obj, "free", m.fordblks);
  number_prop(env, obj, "mmapped", m.hblkhd);
  number_prop(env, obj, "releasable", m.keepcost);
  return obj;
}

static napi_value js_trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_get_boolean(env, malloc_trim(0) == 1, &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"trim", NULL, js_trim, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
