// The songs job written the way a Node.js user would with the official `openai` client and the
// OpenAI Batch API: classify every row of a CSV, then write the CSV back with the model's answers as
// extra columns. pipehost's end-to-end benchmark runs this against the same emulator as `pipehost
// run` with the openai-batch provider (bench/run.sh); it is the baseline, so it is plain idiomatic
// code: not deliberately slow, not tuned. Whole files, like the Gemini baseline: the rows and the
// answers are held in memory; the input is split only where the API demands it (200 MB and 50,000
// requests per batch file).
//
//   node baseline.mjs --input songs.csv --prompt prompt.md --schema schema.json \
//        --output out.csv --work DIR [--model M] [--base-url URL] [--poll-ms N]
//   (API key from OPENAI_API_KEY; for a self-signed emulator: NODE_EXTRA_CA_CERTS=ca.pem)
//
// Prints one summary line: `rows N ok N failed N` (exit 0), or the error (exit 1), and on stderr
// how long each phase took.
import OpenAI from 'openai';
import {parse} from 'csv-parse/sync';
import {stringify} from 'csv-stringify/sync';
import fs from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';

let phaseStart = performance.now();
function phaseDone(name) {
  const now = performance.now();
  console.error(`phase ${name} ${((now - phaseStart) / 1000).toFixed(3)} s`);
  phaseStart = now;
}

const {values: args} = parseArgs({
  options: {
    input: {type: 'string'},
    prompt: {type: 'string'},
    schema: {type: 'string'},
    output: {type: 'string'},
    work: {type: 'string'},
    model: {type: 'string', default: 'gpt-4.1-mini'},
    'base-url': {type: 'string'},
    'poll-ms': {type: 'string', default: '30000'},
  },
});
for (const name of ['input', 'prompt', 'schema', 'output', 'work']) {
  if (!args[name]) throw new Error(`--${name} is required`);
}

const client = new OpenAI({baseURL: args['base-url']});  // key from OPENAI_API_KEY

// 1. Read the CSV, the system instruction and the response schema; make the schema strict (every
//    object closed, every property required), as OpenAI's structured outputs want it.
const rows = parse(fs.readFileSync(args.input), {columns: true, skip_empty_lines: true, bom: true});
const columns = rows.length ? Object.keys(rows[0]) : [];
const systemInstruction = fs.readFileSync(args.prompt, 'utf8');
const schema = JSON.parse(fs.readFileSync(args.schema, 'utf8'));
const aiColumns = Object.keys(schema.properties);
function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'propertyOrdering') continue;
    if (key === 'type' && typeof value === 'string') out.type = value.toLowerCase();
    else if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)]));
    else out[key] = strict(value);
  }
  if (out.type === 'object') {
    out.required = Object.keys(out.properties ?? {});
    out.additionalProperties = false;
  }
  return out;
}
const responseFormat = {type: 'json_schema', json_schema: {name: 'response', strict: true, schema: strict(schema)}};
phaseDone('read-csv');

// 2. One JSONL line per row, the system instruction first; files of at most 190 MB / 50,000 lines.
const userText = (row) =>
  `Artist: ${row.artist}\nSong: ${row.song}\n` +
  `Most frequent name in the lyrics: ${row.name} (${row.n} times; refers to a person: ${row.person})`;

fs.mkdirSync(args.work, {recursive: true});
const files = [];
let lines = [];
let bytes = 0;
const flush = () => {
  if (!lines.length) return;
  const file = path.join(args.work, `requests-${files.length + 1}.jsonl`);
  fs.writeFileSync(file, lines.join(''));
  files.push(file);
  lines = [];
  bytes = 0;
};
for (const [i, row] of rows.entries()) {
  const line =
    JSON.stringify({
      custom_id: `row-${i + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: {
        model: args.model,
        messages: [
          {role: 'system', content: systemInstruction},
          {role: 'user', content: userText(row)},
        ],
        response_format: responseFormat,
        temperature: 0.2,
      },
    }) + '\n';
  const size = Buffer.byteLength(line);
  if (bytes + size > 190_000_000 || lines.length === 50_000) flush();
  lines.push(line);
  bytes += size;
}
flush();
phaseDone('prepare-jsonl');

// 3. Upload each file, create its batch, poll until every batch ends.
const uploaded = [];
for (const file of files) uploaded.push(await client.files.create({file: fs.createReadStream(file), purpose: 'batch'}));
phaseDone('upload');
let batches = [];
for (const file of uploaded) {
  batches.push(
    await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: {name: `songs-${Date.now()}-${batches.length + 1}`},
    }),
  );
}
const finished = new Set(['completed', 'failed', 'expired', 'cancelled']);
while (!batches.every((batch) => finished.has(batch.status))) {
  await new Promise((resolve) => setTimeout(resolve, Number(args['poll-ms'])));
  batches = await Promise.all(batches.map((batch) => (finished.has(batch.status) ? batch : client.batches.retrieve(batch.id))));
}
for (const batch of batches) if (batch.status !== 'completed') throw new Error(`batch ${batch.id} ended ${batch.status}`);
phaseDone('create-and-poll');

// 4. Download the output and error files whole, then match the answers by custom_id.
const texts = [];
for (const batch of batches) {
  for (const id of [batch.output_file_id, batch.error_file_id]) if (id) texts.push(await (await client.files.content(id)).text());
}
phaseDone('download');

function parseAnswer(text) {
  const fenced = text.match(/```(?:json)?\s*([\s\S]*?)```/);
  const answer = JSON.parse(fenced ? fenced[1] : text.trim());
  for (const name of schema.required ?? []) {
    if (!(name in answer)) throw new Error(`field ${name} missing`);
  }
  return answer;
}

const results = new Map();
for (const text of texts) {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const {custom_id: key, response, error} = JSON.parse(line);
    if (error || response?.status_code !== 200) {
      results.set(key, {error: error ? `${error.code} ${error.message}` : `HTTP ${response?.status_code}`});
      continue;
    }
    try {
      results.set(key, {answer: parseAnswer(response.body.choices[0].message.content ?? '')});
    } catch (e) {
      results.set(key, {error: `parse error: ${e.message}`});
    }
  }
}
phaseDone('parse-answers');

// 5. Write the output: original columns, then the AI columns, then status and error.
const cell = (value) =>
  Array.isArray(value) ? value.join('; ') : value !== null && typeof value === 'object' ? JSON.stringify(value) : value ?? '';
let ok = 0;
const records = rows.map((row, i) => {
  const result = results.get(`row-${i + 1}`) ?? {error: 'no response'};
  if (result.answer) ok++;
  return [
    ...columns.map((column) => row[column]),
    ...aiColumns.map((column) => (result.answer ? cell(result.answer[column]) : '')),
    result.answer ? 'ok' : 'failed',
    result.error ?? '',
  ];
});
fs.mkdirSync(path.dirname(path.resolve(args.output)), {recursive: true});
fs.writeFileSync(args.output, stringify(records, {header: true, columns: [...columns, ...aiColumns, '_status', '_error']}));
phaseDone('write-csv');
for (const file of uploaded) await client.files.delete(file.id);
console.log(`rows ${rows.length} ok ${ok} failed ${rows.length - ok}`);
