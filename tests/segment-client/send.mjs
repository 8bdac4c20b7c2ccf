// Sends track calls through the unmodified @segment/analytics-node client, as a product would.
// Input (argv[2]): {"host", "writeKey", "calls": [{userId, event, properties, timestamp, messageId}], "resend": [indexes]}.
// The calls are sent, then the calls at `resend` again with the same messageId (a client re-sending
// what it is not sure arrived). Prints {"sent", "resent", "errors": [...]} and exits 1 if the client
// reported any error.
import { readFileSync } from 'node:fs';
import { Analytics } from '@segment/analytics-node';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const analytics = new Analytics({
  writeKey: input.writeKey,
  host: input.host,
  flushAt: 100,
  flushInterval: 200,
  maxRetries: 3,
});

const errors = [];
analytics.on('error', (err) => errors.push(`error event: ${err?.code ?? ''} ${err?.reason ?? err}`));

function track(call) {
  return new Promise((resolve) => {
    analytics.track(
      {
        userId: call.userId,
        event: call.event,
        properties: call.properties,
        timestamp: new Date(call.timestamp),
        messageId: call.messageId,
      },
      (err) => {
        if (err) errors.push(`track callback: ${err?.reason ?? err}`);
        resolve();
      },
    );
  });
}

const first = input.calls.map(track);
await Promise.all(first);
const again = input.resend.map((i) => track(input.calls[i]));
await Promise.all(again);
await analytics.closeAndFlush({ timeout: 60000 });

process.stdout.write(JSON.stringify({ sent: first.length, resent: again.length, errors }) + '\n');
process.exit(errors.length === 0 ? 0 : 1);
