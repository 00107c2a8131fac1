/*
 * tb-impair: the userspace part of link impairment on kernels without netem
 * (src/orchestrator/impair/). It runs in a node's network namespace, in a
 * helper container, and does two things the kernel here cannot:
 *
 *  - delay, jitter and reordering: iptables sends the packets of one
 *    interface and direction to an NFQUEUE (libnetfilter_queue); each packet
 *    is held until its release time (delay plus a uniform jitter, never
 *    earlier than the packet before it, so jitter alone does not reorder)
 *    and then accepted. With probability `reorder` a packet is held back
 *    until the next one has been released (at most 20 ms), which puts it
 *    behind that one;
 *  - duplication: a packet socket on the interface sees every IPv4 frame
 *    the interface sends (after the qdisc) and, with probability `dup`, sends
 *    the same frame once more. Only frames to `mac` when one is given (the
 *    "in" direction of the endpoint with that address, done on the senders).
 *
 * Usage: tb-impair [-q QUEUE:DELAY_US:JITTER_US:REORDER_PPM]... [-d IFNAME:DUP_PPM[:MAC]]...
 * Prints "tb-impair: running" when every queue and socket is open; counts on SIGUSR1 and at exit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define MAX_QUEUES 16
#define MAX_DUPS 16
#define RING 65536           /* packets held per queue at most (the kernel queue is as long) */
#define REORDER_HOLD_NS 20000000LL

struct held { uint32_t id; int64_t release; };

struct queue {
  int num;
  int64_t delay, jitter;     /* ns */
  uint32_t reorder;          /* parts per million */
  struct nfq_q_handle *qh;
  struct held ring[RING];
  unsigned head, count;
  int64_t last_release;
  int has_back; struct held back; /* the packet held back to be reordered */
  uint64_t seen, reordered, dropped;
};

struct dup {
  char ifname[IF_NAMESIZE];
  uint32_t ppm;
  int has_mac; unsigned char mac[6];
  int fd;
  uint64_t seen, sent, failed;
};

static struct queue queues[MAX_QUEUES];
static int nqueues;
static struct dup dups[MAX_DUPS];
static int ndups;
static volatile sig_atomic_t stop, report;
static uint64_t rng_state;

static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}
static int chance(uint32_t ppm) { return ppm >= 1000000 || (ppm > 0 && (rnd() >> 11) % 1000000 < ppm); }

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void push(struct queue *q, uint32_t id, int64_t release) {
  if (release < q->last_release) release = q->last_release;
  if (q->count == RING) { /* cannot happen with the kernel queue as long as the ring: let it go now */
    nfq_set_verdict(q->qh, id, NF_ACCEPT, 0, NULL);
    q->dropped++;
    return;
  }
  q->ring[(q->head + q->count++) % RING] = (struct held){ id, release };
  q->last_release = release;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void)qh; (void)msg;
  struct queue *q = data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  uint32_t id = ntohl(ph->packet_id);
  int64_t t = now_ns();
  int64_t jitter = q->jitter > 0 ? (int64_t)(rnd() % (uint64_t)(2 * q->jitter + 1)) - q->jitter : 0;
  int64_t release = t + q->delay + jitter;
  if (release < t) release = t;
  q->seen++;
  if (q->has_back) {           /* this one overtakes the packet held back */
    push(q, id, release);
    push(q, q->back.id, release);
    q->has_back = 0;
    q->reordered++;
  } else if (chance(q->reorder)) {
    q->back = (struct held){ id, release };
    q->has_back = 1;
  } else {
    push(q, id, release);
  }
  return 0;
}

static void release_due(struct queue *q, int64_t t) {
  if (q->has_back && q->back.release + REORDER_HOLD_NS <= t) { /* nothing came to overtake it */
    push(q, q->back.id, q->back.release);
    q->has_back = 0;
  }
  while (q->count > 0 && q->ring[q->head].release <= t) {
    nfq_set_verdict(q->qh, q->ring[q->head].id, NF_ACCEPT, 0, NULL);
    q->head = (q->head + 1) % RING;
    q->count--;
  }
}

static int64_t next_due(void) {
  int64_t next = INT64_MAX;
  for (int i = 0; i < nqueues; i++) {
    struct queue *q = &queues[i];
    if (q->count > 0 && q->ring[q->head].release < next) next = q->ring[q->head].release;
    if (q->has_back && q->back.release + REORDER_HOLD_NS < next) next = q->back.release + REORDER_HOLD_NS;
  }
  return next;
}

static void on_frame(struct dup *d) {
  static unsigned char buf[65600];
  struct sockaddr_ll from;
  socklen_t len = sizeof from;
  for (;;) {
    ssize_t n = recvfrom(d->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
    if (n < 0) return;
    if (from.sll_pkttype != PACKET_OUTGOING || n < 14 || buf[12] != 0x08 || buf[13] != 0x00) continue; /* IPv4 only: ARP stays as it is */
    if (d->has_mac && memcmp(buf, d->mac, 6) != 0) continue;
    d->seen++;
    if (!chance(d->ppm)) continue;
    struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = from.sll_ifindex, .sll_halen = 6 };
    memcpy(to.sll_addr, buf, 6);
    if (sendto(d->fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof to) == n) d->sent++;
    else d->failed++;
  }
}

static void counts(void) {
  for (int i = 0; i < nqueues; i++)
    fprintf(stderr, "tb-impair: queue %d: %llu packets, %llu reordered, %llu let through early, %u held\n", queues[i].num,
            (unsigned long long)queues[i].seen, (unsigned long long)queues[i].reordered, (unsigned long long)queues[i].dropped, queues[i].count);
  for (int i = 0; i < ndups; i++)
    fprintf(stderr, "tb-impair: dup %s: %llu frames, %llu duplicated, %llu could not be sent\n", dups[i].ifname,
            (unsigned long long)dups[i].seen, (unsigned long long)dups[i].sent, (unsigned long long)dups[i].failed);
}

static void on_signal(int sig) { if (sig == SIGUSR1) report = 1; else stop = 1; }

static int parse_mac(const char *s, unsigned char *mac) {
  return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static int open_dup(struct dup *d) {
  d->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)); /* frames sent are tapped for ETH_P_ALL sockets only */
  if (d->fd < 0) return -1;
  struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)if_nametoindex(d->ifname) };
  if (sll.sll_ifindex == 0) { errno = ENODEV; return -1; }
  int size = 4 << 20;
  setsockopt(d->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  return bind(d->fd, (struct sockaddr *)&sll, sizeof sll);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state || rng_state == 0) rng_state = (uint64_t)now_ns() | 1;
  for (int opt; (opt = getopt(argc, argv, "q:d:")) != -1;) {
    if (opt == 'q' && nqueues < MAX_QUEUES) {
      struct queue *q = &queues[nqueues++];
      long long delay, jitter; unsigned reorder;
      if (sscanf(optarg, "%d:%lld:%lld:%u", &q->num, &delay, &jitter, &reorder) != 4) { fprintf(stderr, "tb-impair: bad -q %s\n", optarg); return 2; }
      q->delay = delay * 1000; q->jitter = jitter * 1000; q->reorder = reorder;
    } else if (opt == 'd' && ndups < MAX_DUPS) {
      struct dup *d = &dups[ndups++];
      char mac[32] = "";
      if (sscanf(optarg, "%15[^:]:%u:%31s", d->ifname, &d->ppm, mac) < 2) { fprintf(stderr, "tb-impair: bad -d %s\n", optarg); return 2; }
      if (mac[0]) { if (parse_mac(mac, d->mac) != 0) { fprintf(stderr, "tb-impair: bad MAC %s\n", mac); return 2; } d->has_mac = 1; }
    } else {
      fprintf(stderr, "usage: tb-impair [-q QUEUE:DELAY_US:JITTER_US:REORDER_PPM]... [-d IFNAME:DUP_PPM[:MAC]]...\n");
      return 2;
    }
  }
  struct nfq_handle *h = NULL;
  int nfd = -1;
  if (nqueues > 0) {
    h = nfq_open();
    if (!h) { perror("tb-impair: nfq_open"); return 1; }
    for (int i = 0; i < nqueues; i++) {
      struct queue *q = &queues[i];
      q->qh = nfq_create_queue(h, (uint16_t)q->num, on_packet, q);
      if (!q->qh) { fprintf(stderr, "tb-impair: cannot bind queue %d: %s\n", q->num, strerror(errno)); return 1; }
      nfq_set_mode(q->qh, NFQNL_COPY_META, 0);
      nfq_set_queue_maxlen(q->qh, RING);
      nfq_set_queue_flags(q->qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
    }
    nfd = nfq_fd(h);
    int size = 16 << 20, one = 1;
    setsockopt(nfd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    setsockopt(nfd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  }
  for (int i = 0; i < ndups; i++)
    if (open_dup(&dups[i]) != 0) { fprintf(stderr, "tb-impair: packet socket on %s: %s\n", dups[i].ifname, strerror(errno)); return 1; }
  struct sigaction sa = { .sa_handler = on_signal };
  sigaction(SIGTERM, &sa, NULL); sigaction(SIGINT, &sa, NULL); sigaction(SIGUSR1, &sa, NULL);
  printf("tb-impair: running\n");

  struct pollfd fds[1 + MAX_DUPS];
  static char buf[1 << 16];
  while (!stop) {
    int n = 0;
    if (nfd >= 0) fds[n++] = (struct pollfd){ .fd = nfd, .events = POLLIN };
    for (int i = 0; i < ndups; i++) fds[n++] = (struct pollfd){ .fd = dups[i].fd, .events = POLLIN };
    int64_t next = next_due(), t = now_ns();
    struct timespec ts, *tp = NULL;
    if (next != INT64_MAX) {
      int64_t wait = next > t ? next - t : 0;
      ts.tv_sec = wait / 1000000000LL; ts.tv_nsec = wait % 1000000000LL; tp = &ts;
    }
    int r = ppoll(fds, (nfds_t)n, tp, NULL);
    if (report) { counts(); report = 0; }
    if (r < 0 && errno != EINTR) { perror("tb-impair: ppoll"); break; }
    int k = 0;
    if (nfd >= 0) {
      if (r > 0 && (fds[k].revents & POLLIN)) {
        for (;;) {
          ssize_t len = recv(nfd, buf, sizeof buf, MSG_DONTWAIT);
          if (len <= 0) break;
          nfq_handle_packet(h, buf, (int)len);
        }
      }
      k++;
    }
    for (int i = 0; i < ndups; i++, k++) if (r > 0 && (fds[k].revents & POLLIN)) on_frame(&dups[i]);
    t = now_ns();
    for (int i = 0; i < nqueues; i++) release_due(&queues[i], t);
  }
  /* let everything held go before the queues close */
  for (int i = 0; i < nqueues; i++) {
    if (queues[i].has_back) push(&queues[i], queues[i].back.id, 0), queues[i].has_back = 0;
    release_due(&queues[i], INT64_MAX);
  }
  counts();
  for (int i = 0; i < nqueues; i++) nfq_destroy_queue(queues[i].qh);
  if (h) nfq_close(h);
  return 0;
}
