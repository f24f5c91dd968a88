// Captures the request bodies the official @google/genai client sends for one request, in batch
// (inline batch create) and online (generateContent) form, by pointing it at a local HTTP server.
// Prints {"batch_inline_request": <request of the inlined item>, "generate_content": <body>,
// "batch_inline_request_text": <that request exactly as the client wrote it>} as JSON.
//
// Usage: node capture_sdk_requests.mjs INPUT.json
//   INPUT.json: {"system_instruction", "user_parts": [...], "temperature", "top_p", "top_k",
//                "max_output_tokens", "seed", "thinking_budget", "response_schema": {...}}
// The script must sit next to a node_modules folder that holds @google/genai (ES modules resolve
// packages from the script's own folder).
import {GoogleGenAI} from '@google/genai';
import fs from 'node:fs';
import http from 'node:http';

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const captured = {};
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', c => (body += c));
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url.includes(':batchGenerateContent')) {
      captured.batch = JSON.parse(body);
      res.end(JSON.stringify({name: 'batches/captured', metadata: {name: 'batches/captured',
        displayName: 'capture', state: 'BATCH_STATE_PENDING'}}));
    } else if (req.url.includes(':generateContent')) {
      captured.online = JSON.parse(body);
      res.end(JSON.stringify({candidates: [{content: {parts: [{text: '{}'}], role: 'model'}, finishReason: 'STOP'}]}));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const ai = new GoogleGenAI({apiKey: 'fake-capture-key', httpOptions: {baseUrl, apiVersion: 'v1beta'}});

const config = {
  systemInstruction: input.system_instruction,
  temperature: input.temperature,
  topP: input.top_p,
  topK: input.top_k,
  maxOutputTokens: input.max_output_tokens,
  seed: input.seed,
  responseMimeType: 'application/json',
  responseSchema: input.response_schema,
  thinkingConfig: {thinkingBudget: input.thinking_budget},
  tools: [{googleSearch: {}}],
};
const contents = [{role: 'user', parts: input.user_parts.map(text => ({text}))}];

await ai.batches.create({model: 'gemini-2.5-flash', src: [{contents, config, metadata: {key: 'row-1'}}],
                         config: {displayName: 'capture'}});
await ai.models.generateContent({model: 'gemini-2.5-flash', contents, config});
server.close();

const inline = captured.batch.batch.inputConfig.requests.requests[0];
console.log(JSON.stringify({batch_inline_request: inline.request, generate_content: captured.online,
                            batch_inline_request_text: JSON.stringify(inline.request)}, null, 2));
