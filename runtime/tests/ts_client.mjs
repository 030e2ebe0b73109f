// The official TypeScript MCP client (@modelcontextprotocol/client 2.x) against an endpoint:
// find the protected-resource metadata through the 401 challenge (RFC 9728), get a token with
// the client-credentials grant, then list tools, call one, and follow a long tool's progress.
// Usage: node ts_client.mjs <endpoint> <client id> <client secret> <issuer> <legacy|2026-07-28>
// Prints one JSON object per line; exits non-zero on any failure.
import {
  Client,
  ClientCredentialsProvider,
  StreamableHTTPClientTransport,
  discoverOAuthProtectedResourceMetadata,
  extractResourceMetadataUrl,
} from "@modelcontextprotocol/client";

const [endpoint, clientId, clientSecret, issuer, era] = process.argv.slice(2);
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
  const client = new Client({ name: "ts-e2e", version: "1.0.0" }, { versionNegotiation: { mode } });
  await client.connect(transport);
  emit({ event: "connected", protocolVersion: client.getNegotiatedProtocolVersion() });

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
