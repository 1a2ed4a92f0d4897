/* nats_pub: JetStream async publish load for scripts/bench.sh, against the
 * Debian-packaged NATS C client (libnats-dev 3.4). Creates (or recreates) a
 * file-store stream BENCH bound to subject "bench", publishes N messages of
 * SIZE bytes with js_PublishAsync (at most MAXPENDING unacknowledged), waits
 * for every ack and prints "<seconds> <acks> <errors>".
 *
 *   nats_pub nats://127.0.0.1:PORT N SIZE MAXPENDING
 */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile int64_t g_acks = 0, g_errs = 0;

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure) {
  (void)js; (void)pa; (void)closure;
  if (pae != NULL) g_errs++; else g_acks++;
  natsMsg_Destroy(msg);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define CHECK(s, what) do { if ((s) != NATS_OK) { fprintf(stderr, "nats_pub: %s: %s\n", what, natsStatus_GetText(s)); nats_PrintLastErrorStack(stderr); return 1; } } while (0)

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: nats_pub URL N SIZE MAXPENDING\n"); return 2; }
  const char *url = argv[1];
  long n = atol(argv[2]);
  int size = atoi(argv[3]);
  int maxpending = atoi(argv[4]);
  natsConnection *nc = NULL;
  jsCtx *js = NULL;
  jsOptions jo;
  jsStreamConfig sc;
  jsErrCode jerr = 0;
  natsStatus s;
  const char *subjects[] = {"bench"};
  char *payload = malloc(size);
  for (int i = 0; i < size; i++) payload[i] = 'a' + i % 26;
  payload[size - 1] = '\n';

  CHECK(natsConnection_ConnectTo(&nc, url), "connect");
  CHECK(jsOptions_Init(&jo), "jsOptions_Init");
  jo.PublishAsync.MaxPending = maxpending;
  jo.PublishAsync.AckHandler = on_ack;
  jo.PublishAsync.StallWait = 10000;
  CHECK(natsConnection_JetStream(&js, nc, &jo), "jetstream");
  js_DeleteStream(js, "BENCH", NULL, &jerr); /* ignore "not found" */
  CHECK(jsStreamConfig_Init(&sc), "jsStreamConfig_Init");
  sc.Name = "BENCH";
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  CHECK(js_AddStream(NULL, js, &sc, NULL, &jerr), "add stream");

  double t0 = now();
  for (long i = 0; i < n; i++) {
    s = js_PublishAsync(js, "bench", payload, size, NULL);
    CHECK(s, "publish");
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 120000;
  CHECK(js_PublishAsyncComplete(js, &po), "complete");
  double dt = now() - t0;
  printf("%.6f %lld %lld\n", dt, (long long)g_acks, (long long)g_errs);
  js_DeleteStream(js, "BENCH", NULL, &jerr);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  nats_Close();
  free(payload);
  return g_acks == n ? 0 : 1;
}
