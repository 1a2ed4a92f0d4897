// kafkajs with its default settings, for tests/e2e/kafka_test.cc.
//   node client.js BROKER produce TOPIC VALUE...   sends the values in one call
//   node client.js BROKER consume TOPIC GROUP N   prints N values, one a line,
//       as a member of GROUP from the earliest offset, commits and leaves
//   node client.js BROKER offsets TOPIC TIMESTAMP_MS   prints "partition offset"
//       for each partition: the first offset at or after the time
// Exits non-zero on any error.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [broker, command, topic, ...rest] = process.argv.slice(2);
  const kafka = new Kafka({ clientId: 'topicfs-test', brokers: [broker], logLevel: logLevel.ERROR });
  if (command === 'produce') {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: rest.map((value) => ({ value })) });
    await producer.disconnect();
  } else if (command === 'consume') {
    const [groupId, count] = rest;
    const want = Number(count);
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values = [];
    await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error(`${values.length} of ${want} records in 60 s`)), 60000).unref();
      consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value.toString());
          if (values.length === want) resolve();
        },
      }).catch(reject);
    });
    await consumer.disconnect();  // commits what was consumed
    process.stdout.write(values.map((v) => v + '\n').join(''));
  } else if (command === 'offsets') {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, Number(rest[0]));
    await admin.disconnect();
    process.stdout.write(offsets.map((o) => `${o.partition} ${o.offset}\n`).join(''));
  } else {
    throw new Error(`unknown command ${command}`);
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`kafkajs: ${err.stack || err}\n`);
  process.exit(1);
});
