// The official TypeScript MCP client (@modelcontextprotocol/client 2.x) against an endpoint:
// find the protected-resource metadata through the 401 challenge (RFC 9728), get a token with
// the client-credentials grant, then list tools, call one, and follow a long tool's progress.
// With a sixth argument `features`: read resources, get a prompt, complete its argument and
// answer a tool's elicitation instead (an error there is reported, not fatal).
// Usage: node ts_client.mjs <endpoint> <client id> <client secret> <issuer> <legacy|2026-07-28> [features]
// Prints one JSON object per line; exits non-zero on any failure.
import {
  Client,
  ClientCredentialsProvider,
  StreamableHTTPClientTransport,
  discoverOAuthProtectedResourceMetadata,
  extractResourceMetadataUrl,
} from "@modelcontextprotocol/client";

const [endpoint, clientId, clientSecret, issuer, era, part] = process.argv.slice(2);
const emit = (event) => console.log(JSON.stringify(event));

try {
  const challenge = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "tools/list" }),
  });
  const resourceMetadataUrl = extractResourceMetadataUrl(challenge);
  const metadata = await discoverOAuthProtectedResourceMetadata(endpoint, { resourceMetadataUrl });
  emit({ event: "metadata", status: challenge.status, url: String(resourceMetadataUrl), metadata });

  const authProvider = new ClientCredentialsProvider({
    clientId, clientSecret, scope: "mcp/invoke", expectedIssuer: issuer,
  });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), { authProvider });
  const mode = era === "legacy" ? "legacy" : { pin: era };
  const client = new Client(
    { name: "ts-e2e", version: "1.0.0" },
    { versionNegotiation: { mode }, capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler("elicitation/create", async (request) => {
    emit({ event: "elicited", message: request.params.message });
    return { action: "accept", content: { confirm: true } };
  });
  await client.connect(transport);
  emit({ event: "connected", protocolVersion: client.getNegotiatedProtocolVersion() });
  if (part === "features") {
    await features(client);
    await client.close();
    process.exit(0);
  }

  const tools = await client.listTools();
  emit({ event: "tools", names: tools.tools.map((tool) => tool.name) });
  const who = await client.callTool({ name: "whoami", arguments: {} });
  emit({ event: "whoami", result: JSON.parse(who.content[0].text) });
  const long = await client.callTool(
    { name: "long_task", arguments: { seconds: 40, steps: 4 } },
    { onprogress: (progress) => emit({ event: "progress", ...progress }), timeout: 600000 },
  );
  emit({ event: "long_task", result: JSON.parse(long.content[0].text) });
  await client.close();
} catch (error) {
  emit({ event: "error", name: error?.name, message: String(error?.message ?? error) });
  process.exit(1);
}

async function features(client) {
  const resources = await client.listResources();
  emit({ event: "resources", uris: resources.resources.map((r) => r.uri).sort() });
  emit({ event: "about", ...(await client.readResource({ uri: "info://about" })).contents[0] });
  emit({ event: "logo", ...(await client.readResource({ uri: "info://logo.png" })).contents[0] });
  emit({ event: "greeting", ...(await client.readResource({ uri: "greeting://de" })).contents[0] });
  const prompt = await client.getPrompt({ name: "review_code", arguments: { code: "x = 1" } });
  emit({ event: "prompt", text: prompt.messages[0].content.text });
  const completion = await client.complete({
    ref: { type: "ref/prompt", name: "review_code" }, argument: { name: "style", value: "d" },
  });
  emit({ event: "completion", values: completion.completion.values });
  try {
    const booked = await client.callTool({ name: "book_table", arguments: { restaurant: "Chez Lambda", party: 4 } });
    emit({ event: "booked", text: booked.content[0].text, isError: booked.isError ?? false });
  } catch (error) {
    emit({ event: "booked", error: String(error?.message ?? error) });
  }
}
