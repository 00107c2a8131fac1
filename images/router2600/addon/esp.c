/*
 * esp.node: the cipher and HMAC work of one ESP packet in one native call,
 * in place, through the OpenSSL that Node itself carries.
 *
 * Through node:crypto an ESP packet costs four to six calls into C++ (cipher
 * update, one-shot hashes), each allocating its output, plus copies and
 * string conversions around them; at 1400 bytes with AES-NI that overhead
 * is larger than the cryptography. This module keeps one cipher context and
 * one HMAC context per SA direction and does the whole packet at once:
 *
 *   create(cipher, key, mac, authKey, encrypt) -> SA handle, or throws when this OpenSSL
 *                                                cannot do the algorithm (the caller falls back)
 *   seal(sa, buf, encFrom, encTo, icvAt, icvLen)
 *        encrypt buf[encFrom, encTo) in place with the SA's long-lived CBC context, then write
 *        the first icvLen bytes of HMAC(buf[0, icvAt)) at icvAt
 *   open(sa, buf, icvAt, icvLen, decFrom, decTo) -> boolean
 *        compare HMAC(buf[0, icvAt)) with buf[icvAt, icvAt + icvLen) in constant time; when it
 *        matches, decrypt buf[decFrom, decTo) in place and return true, else touch nothing
 *
 * The framing, padding, sequence numbers, anti-replay window and counters
 * stay in TypeScript (src/agent/esp/sa.ts); the CBC scheme (a fresh random
 * first block per packet through a long-lived context) is explained there.
 *
 * Like tun.c it compiles with gcc against node-api-headers alone: the
 * OpenSSL functions are declared below and resolved from Node's own
 * symbols (an official Node build exports them for addons; a Node linked
 * against the system's libcrypto resolves them from there).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <node_api.h>

typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_md_st EVP_MD;
typedef struct hmac_ctx_st HMAC_CTX;
typedef struct engine_st ENGINE;

extern EVP_CIPHER_CTX *EVP_CIPHER_CTX_new(void);
extern void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx);
extern int EVP_CipherInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl, const unsigned char *key,
                             const unsigned char *iv, int enc);
extern int EVP_CIPHER_CTX_set_padding(EVP_CIPHER_CTX *ctx, int pad);
extern int EVP_CipherUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
extern int EVP_CIPHER_get_key_length(const EVP_CIPHER *cipher);
extern int EVP_CIPHER_get_block_size(const EVP_CIPHER *cipher);
extern const EVP_CIPHER *EVP_des_cbc(void);
extern const EVP_CIPHER *EVP_des_ede3_cbc(void);
extern const EVP_CIPHER *EVP_aes_128_cbc(void);
extern const EVP_CIPHER *EVP_aes_192_cbc(void);
extern const EVP_CIPHER *EVP_aes_256_cbc(void);
extern const EVP_MD *EVP_md5(void);
extern const EVP_MD *EVP_sha1(void);
extern const EVP_MD *EVP_sha256(void);
extern const EVP_MD *EVP_sha384(void);
extern const EVP_MD *EVP_sha512(void);
extern HMAC_CTX *HMAC_CTX_new(void);
extern void HMAC_CTX_free(HMAC_CTX *ctx);
extern int HMAC_Init_ex(HMAC_CTX *ctx, const void *key, int len, const EVP_MD *md, ENGINE *impl);
extern int HMAC_Update(HMAC_CTX *ctx, const unsigned char *data, size_t len);
extern int HMAC_Final(HMAC_CTX *ctx, unsigned char *md, unsigned int *len);

#define MAX_DIGEST 64

typedef struct {
  EVP_CIPHER_CTX *cipher; /* NULL for ESP_NULL */
  HMAC_CTX *mac;          /* NULL without integrity */
  int block;
} esp_sa_t;

static const EVP_CIPHER *cipher_by_name(const char *name) {
  if (strcmp(name, "des-cbc") == 0) return EVP_des_cbc();
  if (strcmp(name, "des-ede3-cbc") == 0) return EVP_des_ede3_cbc();
  if (strcmp(name, "aes-128-cbc") == 0) return EVP_aes_128_cbc();
  if (strcmp(name, "aes-192-cbc") == 0) return EVP_aes_192_cbc();
  if (strcmp(name, "aes-256-cbc") == 0) return EVP_aes_256_cbc();
  return NULL;
}

static const EVP_MD *md_by_name(const char *name) {
  if (strcmp(name, "md5") == 0) return EVP_md5();
  if (strcmp(name, "sha1") == 0) return EVP_sha1();
  if (strcmp(name, "sha256") == 0) return EVP_sha256();
  if (strcmp(name, "sha384") == 0) return EVP_sha384();
  if (strcmp(name, "sha512") == 0) return EVP_sha512();
  return NULL;
}

static void free_sa(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  esp_sa_t *sa = data;
  if (sa->cipher) EVP_CIPHER_CTX_free(sa->cipher);
  if (sa->mac) HMAC_CTX_free(sa->mac);
  free(sa);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, "ESP_NATIVE", message);
  return NULL;
}

static int get_string(napi_env env, napi_value v, char *out, size_t size) {
  size_t len = 0;
  return napi_get_value_string_utf8(env, v, out, size, &len) == napi_ok;
}

static int get_buffer(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is = false;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return 0;
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

/* create(cipher, key, mac, authKey, encrypt) */
static napi_value js_create(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return fail(env, "create(cipher, key, mac, authKey, encrypt)");
  char cname[32], mname[32];
  uint8_t *key, *akey;
  size_t klen, aklen;
  bool enc = false;
  if (!get_string(env, argv[0], cname, sizeof cname) || !get_buffer(env, argv[1], &key, &klen) ||
      !get_string(env, argv[2], mname, sizeof mname) || !get_buffer(env, argv[3], &akey, &aklen) ||
      napi_get_value_bool(env, argv[4], &enc) != napi_ok)
    return fail(env, "create: bad arguments");

  esp_sa_t *sa = calloc(1, sizeof *sa);
  if (!sa) return fail(env, "create: out of memory");
  if (strcmp(cname, "null") != 0) {
    const EVP_CIPHER *c = cipher_by_name(cname);
    if (!c) {
      free_sa(env, sa, NULL);
      return fail(env, "create: unknown cipher");
    }
    if ((size_t)EVP_CIPHER_get_key_length(c) != klen) {
      free_sa(env, sa, NULL);
      return fail(env, "create: wrong key length");
    }
    static const unsigned char zero_iv[16] = {0};
    sa->cipher = EVP_CIPHER_CTX_new();
    if (!sa->cipher || EVP_CipherInit_ex(sa->cipher, c, NULL, key, zero_iv, enc ? 1 : 0) != 1) {
      free_sa(env, sa, NULL);
      return fail(env, "create: this OpenSSL cannot run the cipher (DES needs --openssl-legacy-provider)");
    }
    EVP_CIPHER_CTX_set_padding(sa->cipher, 0);
    sa->block = EVP_CIPHER_get_block_size(c);
  }
  if (strcmp(mname, "none") != 0) {
    const EVP_MD *md = md_by_name(mname);
    sa->mac = md ? HMAC_CTX_new() : NULL;
    if (!sa->mac || HMAC_Init_ex(sa->mac, akey, (int)aklen, md, NULL) != 1) {
      free_sa(env, sa, NULL);
      return fail(env, "create: this OpenSSL cannot run the HMAC");
    }
  }
  napi_value handle;
  if (napi_create_external(env, sa, free_sa, NULL, &handle) != napi_ok) {
    free_sa(env, sa, NULL);
    return fail(env, "create: napi_create_external failed");
  }
  return handle;
}

static int get_sa(napi_env env, napi_value v, esp_sa_t **sa) {
  return napi_get_value_external(env, v, (void **)sa) == napi_ok && *sa != NULL;
}

/* HMAC of data[0, len) into digest; returns its length, 0 on failure. */
static unsigned int mac_of(esp_sa_t *sa, const uint8_t *data, size_t len, uint8_t *digest) {
  unsigned int n = 0;
  /* key and digest NULL: start over with the key given at create() */
  if (HMAC_Init_ex(sa->mac, NULL, 0, NULL, NULL) != 1) return 0;
  if (HMAC_Update(sa->mac, data, len) != 1) return 0;
  if (HMAC_Final(sa->mac, digest, &n) != 1) return 0;
  return n;
}

static int crypt_in_place(esp_sa_t *sa, uint8_t *data, uint32_t from, uint32_t to) {
  if (!sa->cipher || to == from) return 1;
  if ((to - from) % (uint32_t)sa->block != 0) return 0;
  int outl = 0;
  return EVP_CipherUpdate(sa->cipher, data + from, &outl, data + from, (int)(to - from)) == 1 && (uint32_t)outl == to - from;
}

/* The arguments of seal and open: an SA handle, a Buffer and four offsets into it. */
typedef struct {
  esp_sa_t *sa;
  uint8_t *buf;
  size_t len;
  uint32_t n[4];
} packet_args_t;

static int get_packet_args(napi_env env, napi_callback_info info, packet_args_t *a) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) return 0;
  if (!get_sa(env, argv[0], &a->sa) || !get_buffer(env, argv[1], &a->buf, &a->len)) return 0;
  for (int i = 0; i < 4; i++)
    if (!get_u32(env, argv[2 + i], &a->n[i])) return 0;
  return 1;
}

static napi_value boolean(napi_env env, bool value) {
  napi_value result;
  napi_get_boolean(env, value, &result);
  return result;
}

/* seal(sa, buf, encFrom, encTo, icvAt, icvLen) -> boolean */
static napi_value js_seal(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!get_packet_args(env, info, &a)) return fail(env, "seal: bad arguments");
  uint32_t encFrom = a.n[0], encTo = a.n[1], icvAt = a.n[2], icvLen = a.n[3];
  if (encFrom > encTo || encTo > a.len || icvAt > a.len || (size_t)icvAt + icvLen > a.len || icvLen > MAX_DIGEST)
    return fail(env, "seal: ranges outside the buffer");
  bool ok = crypt_in_place(a.sa, a.buf, encFrom, encTo);
  if (ok && a.sa->mac && icvLen > 0) {
    uint8_t digest[MAX_DIGEST];
    unsigned int n = mac_of(a.sa, a.buf, icvAt, digest);
    ok = n >= icvLen;
    if (ok) memcpy(a.buf + icvAt, digest, icvLen);
  }
  return boolean(env, ok);
}

/* open(sa, buf, icvAt, icvLen, decFrom, decTo) -> boolean */
static napi_value js_open(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!get_packet_args(env, info, &a)) return fail(env, "open: bad arguments");
  uint32_t icvAt = a.n[0], icvLen = a.n[1], decFrom = a.n[2], decTo = a.n[3];
  if (icvAt > a.len || (size_t)icvAt + icvLen > a.len || decFrom > decTo || decTo > a.len || icvLen > MAX_DIGEST)
    return fail(env, "open: ranges outside the buffer");
  bool ok = true;
  if (a.sa->mac && icvLen > 0) {
    uint8_t digest[MAX_DIGEST] = {0};
    unsigned int n = mac_of(a.sa, a.buf, icvAt, digest);
    uint8_t diff = n >= icvLen ? 0 : 1;
    for (uint32_t i = 0; i < icvLen; i++) diff |= (uint8_t)(digest[i] ^ a.buf[icvAt + i]);
    ok = diff == 0;
  }
  if (ok) ok = crypt_in_place(a.sa, a.buf, decFrom, decTo);
  return boolean(env, ok);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, js_create, NULL, NULL, NULL, napi_default, NULL},
      {"seal", NULL, js_seal, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
