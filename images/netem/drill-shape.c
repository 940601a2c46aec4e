// drill-shape: netem's delay, jitter, loss, corruption and duplication in user space, for kernels
// built without sch_netem. iptables sends the target's outgoing packets (OUTPUT chain, in the
// target's network namespace) to NFQUEUE; this program holds each one for its delay, then drops,
// corrupts or duplicates it by the asked shares. Duplicates go out on a raw socket marked 0xd1,
// which the NFQUEUE rule skips. The rule uses --queue-bypass: if this program dies, traffic flows.
//
// usage: drill-shape QUEUE DELAY_US JITTER_US LOSS_PCT CORRUPT_PCT DUPLICATE_PCT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DUP_MARK 0xd1
#define MAX_HELD 65536

typedef struct { uint64_t due; uint32_t id; int len; int dup; unsigned char *data; } held_t;

static held_t heap[MAX_HELD];
static int nheld;
static uint64_t delay_us, jitter_us;
static double loss, corrupt, duplicate;
static int raw_fd = -1;
static struct nfq_q_handle *qh;

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
static double chance(void) { return (double)random() / ((double)RAND_MAX + 1.0) * 100.0; }

static void push(held_t h) {
  int i = nheld++;
  while (i > 0 && heap[(i - 1) / 2].due > h.due) { heap[i] = heap[(i - 1) / 2]; i = (i - 1) / 2; }
  heap[i] = h;
}
static held_t pop(void) {
  held_t top = heap[0], last = heap[--nheld];
  int i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= nheld) break;
    if (c + 1 < nheld && heap[c + 1].due < heap[c].due) c++;
    if (heap[c].due >= last.due) break;
    heap[i] = heap[c];
    i = c;
  }
  if (nheld > 0) heap[i] = last;
  return top;
}

static void send_dup(const unsigned char *pkt, int len) {
  if (raw_fd < 0 || len < 20 || (pkt[0] >> 4) != 4) return;
  struct sockaddr_in dst = { .sin_family = AF_INET };
  memcpy(&dst.sin_addr, pkt + 16, 4);
  sendto(raw_fd, pkt, len, 0, (struct sockaddr *)&dst, sizeof dst);
}

static void release(held_t h) {
  if (h.dup && h.data) send_dup(h.data, h.len);
  nfq_set_verdict(qh, h.id, NF_ACCEPT, h.data ? h.len : 0, h.data);
  free(h.data);
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *m, struct nfq_data *nfa, void *arg) {
  (void)m; (void)arg;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  uint32_t id = ntohl(ph->packet_id);
  if (loss > 0 && chance() < loss) return nfq_set_verdict(q, id, NF_DROP, 0, NULL);
  unsigned char *payload = NULL;
  int len = nfq_get_payload(nfa, &payload);
  held_t h = { .id = id, .len = len, .dup = duplicate > 0 && chance() < duplicate };
  int bad = corrupt > 0 && chance() < corrupt;
  if ((bad || h.dup) && len > 0) {
    h.data = malloc(len);
    if (h.data) memcpy(h.data, payload, len);
  }
  if (bad && h.data) {
    // Flip one bit past the IP header, as netem does: the transport checksum no longer matches.
    int hdr = (len >= 20 && (h.data[0] >> 4) == 4) ? (h.data[0] & 0x0f) * 4 : 0;
    if (hdr >= len) hdr = 0;
    int at = hdr + (int)(random() % (len - hdr));
    h.data[at] ^= (unsigned char)(1u << (random() % 8));
  }
  int64_t d = (int64_t)delay_us;
  if (jitter_us > 0) d += (int64_t)(random() % (2 * jitter_us + 1)) - (int64_t)jitter_us;
  if (d <= 0 || nheld >= MAX_HELD) { release(h); return 0; }
  h.due = now_us() + (uint64_t)d;
  push(h);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: %s QUEUE DELAY_US JITTER_US LOSS_PCT CORRUPT_PCT DUPLICATE_PCT\n", argv[0]); return 2; }
  int queue = atoi(argv[1]);
  delay_us = strtoull(argv[2], NULL, 10);
  jitter_us = strtoull(argv[3], NULL, 10);
  loss = atof(argv[4]); corrupt = atof(argv[5]); duplicate = atof(argv[6]);
  srandom((unsigned)now_us());
  if (duplicate > 0) {
    raw_fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    int mark = DUP_MARK;
    if (raw_fd < 0 || setsockopt(raw_fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) { perror("raw socket"); return 1; }
  }
  struct nfq_handle *h = nfq_open();
  if (!h) { perror("nfq_open"); return 1; }
  qh = nfq_create_queue(h, (uint16_t)queue, &on_packet, NULL);
  if (!qh) { perror("nfq_create_queue"); return 1; }
  if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) { perror("nfq_set_mode"); return 1; }
  nfq_set_queue_maxlen(qh, MAX_HELD);
  nfnl_rcvbufsiz(nfq_nfnlh(h), 16 * 1024 * 1024);
  int fd = nfq_fd(h);
  printf("drill-shape: queue %d delay %lluus jitter %lluus loss %g%% corrupt %g%% duplicate %g%%\n", queue,
         (unsigned long long)delay_us, (unsigned long long)jitter_us, loss, corrupt, duplicate);
  fflush(stdout);
  static char buf[0x10000 + 4096] __attribute__((aligned));
  for (;;) {
    struct timespec wait = { 0, 0 }, *timeout = NULL;
    if (nheld > 0) {
      uint64_t t = now_us(), left = heap[0].due > t ? heap[0].due - t : 0;
      wait.tv_sec = (time_t)(left / 1000000);
      wait.tv_nsec = (long)(left % 1000000) * 1000;
      timeout = &wait;
    }
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = ppoll(&p, 1, timeout, NULL);
    if (r < 0 && errno != EINTR) { perror("poll"); return 1; }
    if (r > 0) {
      int n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n >= 0) nfq_handle_packet(h, buf, n);
      else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) { perror("recv"); return 1; }
    }
    uint64_t t = now_us();
    while (nheld > 0 && heap[0].due <= t) release(pop());
  }
}
