// Conformance: the official @anthropic-ai/sdk client runs Message Batches against the emulator.
// Usage: node anthropic_batch_roundtrip.mjs BASE_URL   (TLS: NODE_EXTRA_CA_CERTS=ca_file,
// key in ANTHROPIC_API_KEY). Sets the emulator's faults to batch_ms=60000 (control route) before
// the second batch, so that one is surely still running when it is canceled.
// Prints "OK <n> results" on success; exits non-zero with a reason otherwise.
import Anthropic, {AuthenticationError} from '@anthropic-ai/sdk';

const [baseURL] = process.argv.slice(2);
const client = new Anthropic({baseURL, apiKey: process.env.ANTHROPIC_API_KEY, authToken: null});

const fail = (why) => { throw new Error(why); };
const system = [{type: 'text', text: 'You classify songs by genre. '.repeat(200), cache_control: {type: 'ephemeral', ttl: '1h'}}];
const tool = {name: 'classify', description: 'Record the genre', input_schema: {type: 'object',
  properties: {genre: {type: 'string', enum: ['rock', 'pop']}}, required: ['genre']}};
const params = (i) => ({model: 'claude-sonnet-4-5', max_tokens: 256, system, tools: [tool],
  tool_choice: {type: 'tool', name: 'classify'}, messages: [{role: 'user', content: `Title: Song ${i}`}]});

const count = 20;
const requests = Array.from({length: count}, (_, i) => ({custom_id: `row-${i}`, params: params(i)}));
let batch = await client.messages.batches.create({requests});
if (batch.processing_status !== 'in_progress' || batch.request_counts.processing !== count)
  fail(`create returned ${JSON.stringify(batch)}`);
const deadline = Date.now() + 20000;
while (batch.processing_status !== 'ended') {
  if (Date.now() > deadline) fail(`batch stuck in ${batch.processing_status}`);
  await new Promise(r => setTimeout(r, 100));
  batch = await client.messages.batches.retrieve(batch.id);
}
if (batch.request_counts.succeeded !== count || !batch.results_url) fail(`ended as ${JSON.stringify(batch)}`);

const seen = [];
let writes = 0, reads = 0;
for await (const line of await client.messages.batches.results(batch.id)) {
  if (line.result.type !== 'succeeded') fail(`result ${JSON.stringify(line)}`);
  const block = line.result.message.content[0];
  if (block.type !== 'tool_use' || !['rock', 'pop'].includes(block.input.genre)) fail(`answer ${JSON.stringify(block)}`);
  const usage = line.result.message.usage;
  if (usage.cache_creation_input_tokens > 0) writes++;
  if (usage.cache_read_input_tokens > 0) reads++;
  seen.push(line.custom_id);
}
if (new Set(seen).size !== count) fail(`saw ${seen.length} results, ${new Set(seen).size} distinct`);
if (seen.every((id, i) => id === `row-${i}`)) fail('results came back in input order');
if (writes !== 1 || reads !== count - 1) fail(`cache: ${writes} writes, ${reads} reads`);

const control = await fetch(`${baseURL}/_emulator/faults`, {method: 'POST', body: 'batch_ms=60000'});
if (!control.ok) fail(`setting batch_ms: ${control.status}`);
const second = await client.messages.batches.create({requests: requests.slice(0, 3)});
const canceling = await client.messages.batches.cancel(second.id);
if (canceling.processing_status !== 'canceling') fail(`cancel returned ${JSON.stringify(canceling)}`);

const listed = [];
for await (const b of client.messages.batches.list({limit: 1})) listed.push(b.id);
if (listed.length !== 2 || listed[0] !== second.id || listed[1] !== batch.id) fail(`list gave ${listed}`);

let canceled = canceling;
while (canceled.processing_status !== 'ended') {
  if (Date.now() > deadline) fail(`cancel stuck in ${canceled.processing_status}`);
  await new Promise(r => setTimeout(r, 50));
  canceled = await client.messages.batches.retrieve(second.id);
}
if (canceled.request_counts.canceled !== 3) fail(`canceled batch ended as ${JSON.stringify(canceled)}`);
for await (const line of await client.messages.batches.results(second.id))
  if (line.result.type !== 'canceled') fail(`canceled batch result ${JSON.stringify(line)}`);
const deleted = await client.messages.batches.delete(second.id);
if (deleted.type !== 'message_batch_deleted') fail(`delete returned ${JSON.stringify(deleted)}`);

const online = await client.messages.create(params(99));
if (online.content[0].type !== 'tool_use' || online.usage.cache_read_input_tokens <= 0)
  fail(`messages.create returned ${JSON.stringify(online)}`);

const wrong = new Anthropic({baseURL, apiKey: 'sk-wrong-key', authToken: null, maxRetries: 0});
try {
  await wrong.messages.batches.retrieve(batch.id);
  fail('a wrong key was accepted');
} catch (error) {
  if (!(error instanceof AuthenticationError) || error.status !== 401 || error.type !== 'authentication_error')
    fail(`a wrong key raised ${error}`);
}
console.log(`OK ${seen.length} results`);
