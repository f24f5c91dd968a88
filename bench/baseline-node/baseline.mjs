// The seed pipeline, written the way a Node.js user would: classify every row of a CSV with the
// Gemini Batch API through the official @google/genai client, then write the CSV back with the
// model's answers as extra columns. pipehost's end-to-end benchmark runs this against the same
// emulator as `pipehost run` (bench/run.sh); it is the baseline, so it is plain idiomatic code:
// not deliberately slow, not tuned.
//
//   node baseline.mjs --input songs.csv --prompt prompt.md --schema schema.json \
//        --output out.csv --work DIR [--model M] [--base-url URL] [--poll-ms N]
//   (API key from GEMINI_API_KEY; for a self-signed emulator: NODE_EXTRA_CA_CERTS=ca.pem)
//
// Prints one summary line: `rows N ok N failed N` (exit 0), or the error (exit 1), and on stderr
// how long each phase took (for the benchmark's notes; not something the seed printed).
import {GoogleGenAI} from '@google/genai';
import {parse} from 'csv-parse/sync';
import {stringify} from 'csv-stringify/sync';
import {once} from 'node:events';
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
    model: {type: 'string', default: 'gemini-flash-latest'},
    'base-url': {type: 'string'},
    'poll-ms': {type: 'string', default: '30000'},
  },
});
for (const name of ['input', 'prompt', 'schema', 'output', 'work']) {
  if (!args[name]) throw new Error(`--${name} is required`);
}

const ai = new GoogleGenAI({
  apiKey: process.env.GEMINI_API_KEY,
  httpOptions: args['base-url'] ? {baseUrl: args['base-url'], apiVersion: 'v1beta'} : undefined,
});

// 1. Read the CSV, the system instruction and the response schema.
const rows = parse(fs.readFileSync(args.input), {columns: true, skip_empty_lines: true, bom: true});
const columns = rows.length ? Object.keys(rows[0]) : [];
const systemInstruction = fs.readFileSync(args.prompt, 'utf8');
const schema = JSON.parse(fs.readFileSync(args.schema, 'utf8'));
const aiColumns = Object.keys(schema.properties);
phaseDone('read-csv');

// 2. One JSONL line per row. The system instruction goes in every request: a batch-level one
//    overrides the per-request ones, which the seed learned the hard way.
const userText = (row) =>
  `Artist: ${row.artist}\nSong: ${row.song}\n` +
  `Most frequent name in the lyrics: ${row.name} (${row.n} times; refers to a person: ${row.person})`;

fs.mkdirSync(args.work, {recursive: true});
const requestsPath = path.join(args.work, 'requests.jsonl');
const requests = fs.createWriteStream(requestsPath);
for (const [i, row] of rows.entries()) {
  const line = JSON.stringify({
    key: `row-${i + 1}`,
    request: {
      contents: [{role: 'user', parts: [{text: userText(row)}]}],
      systemInstruction: {parts: [{text: systemInstruction}]},
      generationConfig: {temperature: 0.2, responseMimeType: 'application/json', responseSchema: schema},
    },
  });
  if (!requests.write(line + '\n')) await once(requests, 'drain');
}
requests.end();
await once(requests, 'finish');
phaseDone('prepare-jsonl');

// 3. Upload, create the batch, poll until it ends.
const file = await ai.files.upload({
  file: requestsPath,
  config: {displayName: 'songs-requests', mimeType: 'application/jsonl'},
});
phaseDone('upload');
let job = await ai.batches.create({
  model: args.model,
  src: file.name,
  config: {displayName: `songs-${Date.now()}`},
});
const finished = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED']);
while (!finished.has(job.state)) {
  await new Promise((resolve) => setTimeout(resolve, Number(args['poll-ms'])));
  job = await ai.batches.get({name: job.name});
}
if (job.state !== 'JOB_STATE_SUCCEEDED') throw new Error(`batch ${job.name} ended ${job.state}`);
phaseDone('create-and-poll');

// 4. Download the responses and parse each answer: bare JSON, or JSON in a ```json fence.
const responsesPath = path.join(args.work, 'responses.jsonl');
await ai.files.download({file: job.dest.fileName, downloadPath: responsesPath});
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
for (const line of fs.readFileSync(responsesPath, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const {key, response, error} = JSON.parse(line);
  if (error) {
    results.set(key, {error: `${error.code} ${error.message}`});
    continue;
  }
  const text = (response?.candidates?.[0]?.content?.parts ?? []).map((part) => part.text ?? '').join('');
  try {
    results.set(key, {answer: parseAnswer(text)});
  } catch (e) {
    results.set(key, {error: `parse error: ${e.message}`});
  }
}

// 5. Write the output: original columns, then the AI columns, then status and error.
phaseDone('parse-answers');

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
await ai.files.delete({name: file.name});
console.log(`rows ${rows.length} ok ${ok} failed ${rows.length - ok}`);
