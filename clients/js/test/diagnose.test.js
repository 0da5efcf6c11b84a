// diagnoseConnectFailure turns "the WebSocket closed before it opened",
// all a browser says, into what to do. These cases give it what a browser
// would show it: the page's address, the Local Network Access permission's
// state, and whether the daemon answers HTTP.

import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import net from "node:net";
import { connect, diagnoseConnectFailure, LabelbridgeError } from "../labelbridge.js";

const URL_LOOPBACK = "ws://127.0.0.1:9110/v1/ws";

// page builds a browser's view from a page at origin.
function page(origin, { permission, secure = true, daemonUp = false, asked } = {}) {
  const u = new URL(origin);
  return {
    location: { origin, hostname: u.hostname },
    isSecureContext: secure,
    navigator: {
      permissions: {
        query: async ({ name }) => {
          asked?.push(name);
          if (permission === undefined) throw new TypeError(`'${name}' is not a valid value for enumeration PermissionName`);
          return { state: permission };
        },
      },
    },
    fetch: async (url, init) => {
      assert.equal(init.mode, "no-cors");
      if (!daemonUp) throw new TypeError("Failed to fetch");
      return { type: "opaque", status: 0, url };
    },
  };
}

test("diagnoseConnectFailure", async (t) => {
  const cases = [
    {
      name: "PermissionDenied",
      env: page("https://seller.example.com", { permission: "denied" }),
      code: "local_network_blocked",
      says: [/Allow/, /LocalNetworkAccessAllowedForUrls/, /https:\/\/seller\.example\.com/],
    },
    {
      name: "PermissionPrompt",
      env: page("https://seller.example.com", { permission: "prompt" }),
      code: "local_network_blocked",
      says: [/Allow/, /LocalNetworkAccessAllowedForUrls/, /http:\/\/127\.0\.0\.1:9110\//],
    },
    {
      name: "PlainHTTPPublicPage",
      env: page("http://seller.example.com", { permission: "prompt", secure: false }),
      code: "local_network_blocked",
      says: [/https/, /LocalNetworkAccessAllowedForUrls/],
    },
    {
      name: "GrantedButOriginRefused",
      env: page("https://seller.example.com", { permission: "granted", daemonUp: true }),
      code: "unauthorized",
      says: [/allowed_origins/, /https:\/\/seller\.example\.com/],
    },
    {
      name: "GrantedButNotRunning",
      env: page("https://seller.example.com", { permission: "granted" }),
      code: "unreachable",
      says: [/running/, /http:\/\/127\.0\.0\.1:9110\//],
    },
    {
      name: "BrowserWithoutLNA",
      env: page("https://seller.example.com", { daemonUp: false }),
      code: "unreachable",
      says: [/running/],
    },
    {
      name: "StatusPageOnLoopback",
      env: page("http://127.0.0.1:9110", { permission: "denied", secure: true }),
      code: "unreachable",
      says: [/running/],
    },
    {
      name: "NodeRefused",
      env: {},
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9110"), { code: "ECONNREFUSED" }),
      code: "unreachable",
      says: [/ECONNREFUSED/, /running/],
    },
    {
      name: "NodeForbidden",
      env: {},
      cause: new Error("Unexpected server response: 403"),
      code: "unauthorized",
      says: [/403/],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const err = await diagnoseConnectFailure(URL_LOOPBACK, { cause: c.cause, env: c.env });
      assert.ok(err instanceof LabelbridgeError);
      assert.equal(err.code, c.code, err.message);
      for (const re of c.says) assert.match(err.message, re);
      if (c.cause) assert.equal(err.cause, c.cause);
    });
  }
});

test("the permission asked for depends on where the daemon is", async (t) => {
  for (const [name, url, want] of [
    ["Loopback", "ws://127.0.0.1:9110/v1/ws", "loopback-network"],
    ["Localhost", "ws://localhost:9110/v1/ws", "loopback-network"],
    ["LAN", "ws://192.168.1.20:9110/v1/ws", "local-network"],
  ]) {
    await t.test(name, async () => {
      const asked = [];
      await diagnoseConnectFailure(url, { env: page("https://seller.example.com", { asked }) });
      // Unknown names fall back to the older local-network-access.
      assert.deepEqual(asked, [want, "local-network-access"]);
    });
  }
  await t.test("PublicPageToPublicHost", async () => {
    const asked = [];
    await diagnoseConnectFailure("wss://print.example.net/v1/ws", { env: page("https://seller.example.com", { asked }) });
    assert.deepEqual(asked, [], "no permission applies between public addresses");
  });
});

test("connect in a browser that blocks local network access rejects with local_network_blocked", async () => {
  // Nothing listens: the browser's refusal looks the same from inside.
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise((resolve) => s.close(resolve));
  const statuses = [];
  const env = page("https://seller.example.com", { permission: "denied" });
  await assert.rejects(
    connect({ url: `ws://127.0.0.1:${port}/v1/ws`, WebSocket, env, onStatus: (st) => statuses.push(st) }),
    (err) => {
      assert.equal(err.code, "local_network_blocked");
      assert.match(err.message, /LocalNetworkAccessAllowedForUrls/);
      return true;
    },
  );
  assert.deepEqual(
    statuses.map((st) => [st.state, st.permission, st.error?.code]),
    [
      ["connecting", "denied", undefined],
      ["closed", undefined, "local_network_blocked"],
    ],
  );
});
