// Conformance: the official braintrust client logs to the emulator; rows are read back through
// the REST fetch endpoint. Usage: node braintrust_log_roundtrip.mjs BASE_URL
// (TLS: NODE_EXTRA_CA_CERTS=ca_file; key from BRAINTRUST_API_KEY). Prints "OK <n> rows".
import {initLogger} from 'braintrust';

const [baseUrl] = process.argv.slice(2);
const apiKey = process.env.BRAINTRUST_API_KEY;
const logger = initLogger({projectName: 'conformance-project', apiKey, appUrl: baseUrl});
const ids = [];
for (let i = 0; i < 3; i++) {
  ids.push(logger.log({input: {row: i}, output: `answer ${i}`, metadata: {model: 'gemini-2.5-flash'},
                       metrics: {prompt_tokens: 5, completion_tokens: 2, tokens: 7}, tags: ['conformance']}));
}
await logger.flush();

const headers = {Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json'};
const project = await (await fetch(`${baseUrl}/v1/project?project_name=conformance-project`, {headers})).json();
const projectId = project.objects?.[0]?.id;
if (!projectId) throw new Error(`project not found: ${JSON.stringify(project)}`);
const rows = [];
let cursor;
for (let page = 0; page < 100; page++) {
  const body = JSON.stringify(cursor ? {limit: 2, cursor} : {limit: 2});
  const res = await fetch(`${baseUrl}/v1/project_logs/${projectId}/fetch`, {method: 'POST', headers, body});
  if (!res.ok) throw new Error(`fetch answered ${res.status}`);
  const data = await res.json();
  if (!data.events.length) break;
  rows.push(...data.events);
  cursor = data.cursor;
}
for (const id of ids) {
  const row = rows.find(r => r.id === id);
  if (!row) throw new Error(`row ${id} missing from fetch`);
  if (row.output === undefined || row.metrics?.end === undefined || row.metrics?.tokens !== 7) {
    throw new Error(`row ${id} not merged: ${JSON.stringify(row)}`);
  }
}
console.log(`OK ${rows.length} rows`);
