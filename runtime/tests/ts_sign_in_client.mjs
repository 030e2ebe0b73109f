// The official TypeScript MCP client (@modelcontextprotocol/client 2.x) signing a person in:
// the 401 leads it to the authorization server (the sign-in facade), it registers by DCR and
// sends the person to /authorize; this script plays the browser (consent: allow, then the
// login and MFA forms) up to the loopback redirect URI, hands the code to finishAuth, then
// lists tools and calls whoami with the person's token.
// Usage: node ts_sign_in_client.mjs <endpoint> <username> <password> <mfa code> <redirect uri> <legacy|2026-07-28>
// Prints one JSON object per line; exits non-zero on any failure.
import { randomBytes } from "node:crypto";
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from "@modelcontextprotocol/client";

const [endpoint, username, password, mfaCode, redirectUri, era] = process.argv.slice(2);
const emit = (event) => console.log(JSON.stringify(event));
const answers = { username, password, code: mfaCode, decision: "allow" };

// -- the browser: cookies, redirects and forms -------------------------------------------
const cookies = new Map();
const pages = [];

async function go(url, init = {}) {
  const headers = { ...init.headers };
  if (cookies.size) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const at = pair.indexOf("=");
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return response;
}

const unescape = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

function attribute(tag, name) {
  const match = tag.match(new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`));
  return match ? unescape(match[1] ?? match[2] ?? match[3]) : undefined;
}

// Follows redirects and fills in forms until the server sends the browser to redirectUri.
async function browse(start) {
  let url = String(start);
  let response = await go(url);
  for (let step = 0; step < 10; step++) {
    if (response.status === 302 || response.status === 303) {
      const location = new URL(response.headers.get("location"), url);
      if (location.href.startsWith(redirectUri)) return location;
      url = location.href;
      response = await go(url);
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`${response.status} at ${url}: ${page.slice(0, 300)}`);
    pages.push(unescape(page.match(/<title>([^<]*)<\/title>/)?.[1] ?? ""));
    const fields = new URLSearchParams();
    for (const [tag] of page.matchAll(/<(?:input|button)\b[^>]*>/g)) {
      const name = attribute(tag, "name");
      if (attribute(tag, "type") === "hidden") fields.set(name, attribute(tag, "value") ?? "");
      else if (name in answers) fields.set(name, answers[name]);
    }
    url = new URL(attribute(page.match(/<form\b[^>]*>/)[0], "action"), url).href;
    response = await go(url, {
      method: "POST", body: fields, headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }
  throw new Error(`no redirect to the client after ${pages.join(", ")}`);
}

// -- the client's OAuth provider: storage in memory, the browser above as the user agent ----
class SignInProvider {
  callback;
  #client;
  #tokens;
  #verifier;
  #state;
  get redirectUrl() { return redirectUri; }
  get clientMetadata() {
    return {
      client_name: "TypeScript e2e", redirect_uris: [redirectUri], grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"], token_endpoint_auth_method: "none",
    };
  }
  state() { return (this.#state = randomBytes(24).toString("base64url")); }
  clientInformation() { return this.#client; }
  saveClientInformation(info) { this.#client = info; }
  tokens() { return this.#tokens; }
  saveTokens(tokens) { this.#tokens = tokens; }
  saveCodeVerifier(verifier) { this.#verifier = verifier; }
  codeVerifier() { return this.#verifier; }
  async redirectToAuthorization(url) {
    this.callback = await browse(url);
    if (this.callback.searchParams.get("state") !== this.#state) throw new Error("state mismatch");
  }
}

try {
  const provider = new SignInProvider();
  const mode = era === "legacy" ? "legacy" : { pin: era };
  const connect = async (transport) => {
    const client = new Client({ name: "ts-e2e", version: "1.0.0" }, { versionNegotiation: { mode } });
    await client.connect(transport);
    return client;
  };
  let transport = new StreamableHTTPClientTransport(new URL(endpoint), { authProvider: provider });
  let client;
  try {
    client = await connect(transport);
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.callback) throw error;
    await transport.finishAuth(provider.callback.searchParams);
    transport = new StreamableHTTPClientTransport(new URL(endpoint), { authProvider: provider });
    client = await connect(transport);
  }
  emit({ event: "signed_in", pages, client_id: provider.clientInformation().client_id });

  const tools = await client.listTools();
  emit({ event: "tools", names: tools.tools.map((tool) => tool.name) });
  const who = await client.callTool({ name: "whoami", arguments: {} });
  emit({ event: "whoami", result: JSON.parse(who.content[0].text) });
  await client.close();
} catch (error) {
  emit({ event: "error", name: error?.name, message: String(error?.message ?? error), pages });
  process.exit(1);
}
