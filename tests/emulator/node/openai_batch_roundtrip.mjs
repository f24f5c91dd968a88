// Conformance: the official `openai` Node client (6.x) runs whole batches against the emulator:
// a streamed upload (fs.createReadStream → chunked multipart), create, poll, list (auto-paging),
// output and error file downloads, a cancelled second batch, the online chat completions and
// responses endpoints, and the AuthenticationError a wrong key raises.
// Usage: node openai_batch_roundtrip.mjs BASE_URL WORK_DIR   (TLS: NODE_EXTRA_CA_CERTS=ca_file)
// Prints "OK <n> rows" on success; exits non-zero with a reason otherwise.
import OpenAI from 'openai';
import fs from 'node:fs';
import path from 'node:path';

const [baseUrl, workDir] = process.argv.slice(2);
const client = new OpenAI({apiKey: process.env.OPENAI_API_KEY, baseURL: `${baseUrl}/v1`});
const fail = (why) => { throw new Error(why); };

const count = 25;
const schema = {type: 'object', properties: {genre: {type: 'string', enum: ['rock', 'pop']}},
                required: ['genre'], additionalProperties: false};
const lines = [];
for (let i = 0; i < count; i++) {
  lines.push(JSON.stringify({custom_id: `row-${i}`, method: 'POST', url: '/v1/chat/completions', body: {
    model: 'gpt-4o-mini',
    messages: [{role: 'system', content: 'Classify the song.'}, {role: 'user', content: `Title: Song ${i}`}],
    response_format: {type: 'json_schema', json_schema: {name: 'song', strict: true, schema}}}}));
}
// A body without messages: the real API answers it 400 in the error file.
lines.push(JSON.stringify({custom_id: 'bad-row', method: 'POST', url: '/v1/chat/completions',
                           body: {model: 'gpt-4o-mini'}}));
const input = path.join(workDir, 'in.jsonl');
fs.writeFileSync(input, lines.join('\n') + '\n');

const file = await client.files.create({file: fs.createReadStream(input), purpose: 'batch'});
if (!file.id?.startsWith('file-')) fail(`upload returned ${JSON.stringify(file)}`);
if (file.bytes !== fs.statSync(input).size) fail(`size mismatch ${file.bytes}`);
if ((await client.files.retrieve(file.id)).filename !== 'in.jsonl') fail('files.retrieve lost the filename');

const terminal = new Set(['completed', 'failed', 'expired', 'cancelled']);
async function waitFor(batch) {
  const deadline = Date.now() + 20000;
  while (!terminal.has(batch.status)) {
    if (Date.now() > deadline) fail(`batch stuck in ${batch.status}`);
    await new Promise(r => setTimeout(r, 100));
    batch = await client.batches.retrieve(batch.id);
  }
  return batch;
}

let batch = await client.batches.create({input_file_id: file.id, endpoint: '/v1/chat/completions',
                                         completion_window: '24h', metadata: {name: 'conformance-openai'}});
if (batch.status !== 'validating') fail(`create answered ${batch.status}`);
batch = await waitFor(batch);
if (batch.status !== 'completed') fail(`batch ended ${batch.status}: ${JSON.stringify(batch.errors)}`);
const counts = batch.request_counts;
if (counts.total !== count + 1 || counts.completed !== count || counts.failed !== 1) {
  fail(`request_counts ${JSON.stringify(counts)}`);
}
if (batch.metadata?.name !== 'conformance-openai') fail(`metadata ${JSON.stringify(batch.metadata)}`);

const output = await (await client.files.content(batch.output_file_id)).text();
const seen = [];
for (const line of output.split('\n').filter(Boolean)) {
  const row = JSON.parse(line);
  if (row.error !== null || row.response.status_code !== 200) fail(`bad output line ${line}`);
  const answer = JSON.parse(row.response.body.choices[0].message.content);
  if (!['rock', 'pop'].includes(answer.genre)) fail(`bad answer ${JSON.stringify(answer)}`);
  seen.push(row.custom_id);
}
for (let i = 0; i < count; i++) if (!seen.includes(`row-${i}`)) fail(`row-${i} missing`);
if (seen.length !== count) fail(`${seen.length} output lines`);
if (seen.every((id, i) => id === `row-${i}`)) fail('output kept the input order');
const errors = (await (await client.files.content(batch.error_file_id)).text()).split('\n').filter(Boolean);
if (errors.length !== 1) fail(`${errors.length} error lines`);
const errorLine = JSON.parse(errors[0]);
if (errorLine.custom_id !== 'bad-row' || errorLine.response.status_code !== 400) fail(`error line ${errors[0]}`);

let second = await client.batches.create({input_file_id: file.id, endpoint: '/v1/chat/completions',
                                          completion_window: '24h', metadata: {name: 'conformance-cancel'}});
second = await client.batches.cancel(second.id);
if (second.status !== 'cancelling') fail(`cancel answered ${second.status}`);
second = await waitFor(second);
if (second.status !== 'cancelled') fail(`cancelled batch ended ${second.status}`);

const listed = [];
for await (const b of client.batches.list({limit: 1})) listed.push(b.id);
if (listed.length !== 2 || listed[0] !== second.id || listed[1] !== batch.id) {
  fail(`batches.list gave ${JSON.stringify(listed)}`);
}

const completion = await client.chat.completions.create({model: 'gpt-4o-mini',
  messages: [{role: 'system', content: 'Answer JSON.'}, {role: 'user', content: 'hello'}],
  response_format: {type: 'json_schema', json_schema: {name: 'song', strict: true, schema}}});
if (!['rock', 'pop'].includes(JSON.parse(completion.choices[0].message.content).genre)) {
  fail(`chat.completions gave ${JSON.stringify(completion)}`);
}
const response = await client.responses.create({model: 'gpt-4o-mini', instructions: 'Answer JSON.', input: 'hello',
  text: {format: {type: 'json_schema', name: 'song', strict: true, schema}}});
if (!['rock', 'pop'].includes(JSON.parse(response.output_text).genre)) fail(`responses gave ${response.output_text}`);

const wrong = new OpenAI({apiKey: 'wrong-key', baseURL: `${baseUrl}/v1`, maxRetries: 0});
try {
  await wrong.batches.retrieve(batch.id);
  fail('a wrong key was accepted');
} catch (error) {
  if (!(error instanceof OpenAI.AuthenticationError)) throw error;
  if (error.status !== 401 || error.code !== 'invalid_api_key') fail(`wrong key gave ${error.status} ${error.code}`);
}

await client.files.delete(file.id);
console.log(`OK ${seen.length} rows`);
