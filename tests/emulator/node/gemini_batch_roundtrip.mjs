// Conformance: the official @google/genai client runs a whole batch against the emulator, then
// generateContent calls: a plain one, one grounded with Google Search, and two sharing a long
// prefix (the second reports implicitly cached tokens).
// Usage: node gemini_batch_roundtrip.mjs BASE_URL WORK_DIR   (TLS: NODE_EXTRA_CA_CERTS=ca_file)
// Prints "OK <n> keys, grounded <q> queries, cached <t> tokens" on success; exits non-zero with a
// reason otherwise.
import {GoogleGenAI} from '@google/genai';
import fs from 'node:fs';
import path from 'node:path';

const [baseUrl, workDir] = process.argv.slice(2);
const ai = new GoogleGenAI({apiKey: process.env.GEMINI_API_KEY, httpOptions: {baseUrl, apiVersion: 'v1beta'}});

const count = 25;
const input = path.join(workDir, 'in.jsonl');
const lines = [];
for (let i = 0; i < count; i++) {
  lines.push(JSON.stringify({key: `row-${i}`, request: {
    contents: [{role: 'user', parts: [{text: `Title: Song ${i}`}]}],
    systemInstruction: {parts: [{text: 'Classify the song.'}]},
    generationConfig: {responseMimeType: 'application/json', responseSchema: {type: 'OBJECT',
      properties: {genre: {type: 'STRING', enum: ['rock', 'pop']}}, required: ['genre']}}}}));
}
fs.writeFileSync(input, lines.join('\n') + '\n');

const file = await ai.files.upload({file: input, config: {displayName: 'conformance-input', mimeType: 'application/jsonl'}});
if (!file.name?.startsWith('files/')) throw new Error(`upload returned ${JSON.stringify(file)}`);
const fetched = await ai.files.get({name: file.name});
if (fetched.sizeBytes !== String(fs.statSync(input).size)) throw new Error(`size mismatch ${fetched.sizeBytes}`);

let job = await ai.batches.create({model: 'gemini-2.5-flash', src: file.name, config: {displayName: 'conformance-batch'}});
const terminal = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED']);
const deadline = Date.now() + 20000;
while (!terminal.has(job.state)) {
  if (Date.now() > deadline) throw new Error(`batch stuck in ${job.state}`);
  await new Promise(r => setTimeout(r, 100));
  job = await ai.batches.get({name: job.name});
}
if (job.state !== 'JOB_STATE_SUCCEEDED') throw new Error(`batch ended ${job.state}`);
if (!job.dest?.fileName) throw new Error(`no dest.fileName in ${JSON.stringify(job)}`);

const listed = [];
for await (const b of await ai.batches.list({config: {pageSize: 1}})) listed.push(b.name);
if (!listed.includes(job.name)) throw new Error(`batches.list misses ${job.name}`);

const output = path.join(workDir, 'out.jsonl');
await ai.files.download({file: job.dest.fileName, downloadPath: output});
const seen = new Set();
for (const line of fs.readFileSync(output, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  if (r.error) throw new Error(`line error ${JSON.stringify(r.error)}`);
  const answer = JSON.parse(r.response.candidates[0].content.parts[0].text);
  if (!['rock', 'pop'].includes(answer.genre)) throw new Error(`bad answer ${JSON.stringify(answer)}`);
  seen.add(r.key);
}
for (let i = 0; i < count; i++) if (!seen.has(`row-${i}`)) throw new Error(`key row-${i} missing`);

const online = await ai.models.generateContent({model: 'gemini-2.5-flash', contents: 'hello',
  config: {systemInstruction: 'Answer JSON.', responseMimeType: 'application/json',
           responseSchema: {type: 'OBJECT', properties: {reply: {type: 'STRING'}}}}});
if (typeof JSON.parse(online.text).reply !== 'string') throw new Error(`generateContent gave ${online.text}`);
if (online.candidates[0].groundingMetadata) throw new Error('groundingMetadata without the search tool');

// Grounding: the client lifts config.tools to the request and surfaces groundingMetadata.
const grounded = await ai.models.generateContent({model: 'gemini-2.5-flash',
  contents: 'Artist: Eminem\nSong: Stan', config: {tools: [{googleSearch: {}}]}});
const grounding = grounded.candidates?.[0]?.groundingMetadata;
const queries = grounding?.webSearchQueries ?? [];
if (queries.length < 1 || queries.length > 3 || queries[0] !== 'Eminem Stan release year')
  throw new Error(`webSearchQueries ${JSON.stringify(grounding)}`);
if (!grounding.groundingChunks?.[0]?.web?.uri || !grounding.groundingSupports?.length ||
    !grounding.searchEntryPoint?.renderedContent?.includes(queries[0]))
  throw new Error(`groundingMetadata ${JSON.stringify(grounding)}`);

// Implicit caching: two rows sharing a system instruction + schema of more than 2,048 tokens.
const longPrefix = {systemInstruction: 'Classify the song carefully. '.repeat(320), responseMimeType: 'application/json',
                    responseSchema: {type: 'OBJECT', properties: {genre: {type: 'STRING'}}}};
const first = await ai.models.generateContent({model: 'gemini-2.5-flash', contents: 'Title: Song A', config: longPrefix});
if (first.usageMetadata?.cachedContentTokenCount) throw new Error(`first call cached ${JSON.stringify(first.usageMetadata)}`);
const second = await ai.models.generateContent({model: 'gemini-2.5-flash', contents: 'Title: Song B', config: longPrefix});
const cached = second.usageMetadata?.cachedContentTokenCount;
if (!(cached >= 2048 && cached <= second.usageMetadata.promptTokenCount))
  throw new Error(`second call usage ${JSON.stringify(second.usageMetadata)}`);
if (second.usageMetadata.cacheTokensDetails?.[0]?.tokenCount !== cached)
  throw new Error(`cacheTokensDetails ${JSON.stringify(second.usageMetadata)}`);

await ai.files.delete({name: file.name});
console.log(`OK ${seen.size} keys, grounded ${queries.length} queries, cached ${cached} tokens`);
