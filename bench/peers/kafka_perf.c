/* kafka_perf: Kafka produce and consume load for scripts/bench.sh, with the
 * Debian-packaged librdkafka (librdkafka-dev 2.0) and its default settings
 * (linger.ms 5, batch.num.messages 10,000, acks all, idempotence off).
 *
 *   kafka_perf produce BROKER TOPIC N SIZE
 *       produces N records of SIZE bytes to partition 0 (no newline: topicfs
 *       adds the delimiter, so the log shows N lines of SIZE + 1 bytes),
 *       waits for every delivery report
 *       and prints "<seconds> <delivered> <errors>".
 *   kafka_perf consume BROKER TOPIC N
 *       reads partition 0 from offset 0 until N records have arrived (the
 *       simple consumer: no group) and prints "<seconds> <records> <bytes>".
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long g_delivered = 0, g_errors = 0;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk; (void)opaque;
  if (m->err) {
    if (g_errors++ == 0) fprintf(stderr, "kafka_perf: delivery: %s\n", rd_kafka_err2str(m->err));
  } else {
    g_delivered++;
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *broker) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", broker, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "kafka_perf: %s\n", err);
    return NULL;
  }
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == NULL) fprintf(stderr, "kafka_perf: %s\n", err);
  return rk;
}

static int produce(const char *broker, const char *topic, long n, int size) {
  rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, broker);
  if (rk == NULL) return 1;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  char *payload = malloc(size);
  for (int i = 0; i < size; i++) payload[i] = 'a' + i % 26;
  double t0 = now();
  for (long i = 0; i < n;) {
    if (rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, payload, size, NULL, 0, NULL) == 0) {
      i++;
    } else if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
    } else {
      fprintf(stderr, "kafka_perf: produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
      return 1;
    }
    if ((i & 0xfff) == 0) rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120 * 1000);
  double t = now() - t0;
  printf("%.6f %ld %ld\n", t, g_delivered, g_errors);
  free(payload);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return g_errors == 0 && g_delivered == n ? 0 : 1;
}

static int consume(const char *broker, const char *topic, long n) {
  rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, broker);
  if (rk == NULL) return 1;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  enum { kBatch = 10000 };
  rd_kafka_message_t **batch = malloc(sizeof *batch * kBatch);
  long records = 0, bytes = 0;
  double t0 = now();
  if (rd_kafka_consume_start(rkt, 0, 0) != 0) {
    fprintf(stderr, "kafka_perf: consume_start: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
    return 1;
  }
  while (records < n) {
    if (now() - t0 > 120) {
      fprintf(stderr, "kafka_perf: %ld of %ld records after 120 s\n", records, n);
      return 1;
    }
    ssize_t got = rd_kafka_consume_batch(rkt, 0, 1000, batch, kBatch);
    for (ssize_t i = 0; i < got; i++) {
      if (batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        records++;
        bytes += (long)batch[i]->len;
      } else if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        fprintf(stderr, "kafka_perf: consume: %s\n", rd_kafka_message_errstr(batch[i]));
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  double t = now() - t0;
  printf("%.6f %ld %ld\n", t, records, bytes);
  rd_kafka_consume_stop(rkt, 0);
  free(batch);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 6 && strcmp(argv[1], "produce") == 0)
    return produce(argv[2], argv[3], atol(argv[4]), atoi(argv[5]));
  if (argc == 5 && strcmp(argv[1], "consume") == 0)
    return consume(argv[2], argv[3], atol(argv[4]));
  fprintf(stderr, "usage: kafka_perf produce BROKER TOPIC N SIZE | consume BROKER TOPIC N\n");
  return 2;
}
