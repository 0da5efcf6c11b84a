// The example dashboard (examples/dashboard) in headless Chromium against
// the real daemon and two printer simulators: served from an allowed
// origin it prints a batch and marks every order printed; served from
// another origin it is refused and says so on the page.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build, Daemon, freePort } from "./lib/daemon.js";
import { PrinterSim } from "./lib/printer.js";
import { launch, shot, textMatches, until } from "./lib/browser.js";
import { serve } from "../examples/dashboard/serve.mjs";

const orders = JSON.parse(fs.readFileSync(new URL("../examples/dashboard/orders.json", import.meta.url), "utf8")).orders;

let tmp, labels, picks, daemon, allowedSite, otherSite, browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "labelbridge-e2e-"));
  const bin = build(tmp);
  labels = await PrinterSim.start();
  picks = await PrinterSim.start();
  // Two servers of the same page: origins differ by port.
  allowedSite = await serve({ port: 0 });
  otherSite = await serve({ port: 0 });
  daemon = await Daemon.start({
    bin,
    dir: tmp,
    printers: [
      { name: "label-1", connection: labels.url, language: "zpl" },
      { name: "pick-1", connection: picks.url, language: "zpl" },
    ],
    allowedOrigins: [origin(allowedSite)],
  });
  browser = await launch(tmp);
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
  for (const s of [allowedSite, otherSite]) s?.close();
  await labels?.close();
  await picks?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function origin(server) {
  return `http://127.0.0.1:${server.address().port}`;
}

function dashboardURL(server) {
  return `${origin(server)}/?daemon=${encodeURIComponent(daemon.ws)}`;
}

test("from an allowed origin the dashboard prints the pick list and a batch, marking every order printed", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(dashboardURL(allowedSite));
  await textMatches(page.locator("#conn"), /^Connected to /);

  await page.getByRole("button", { name: "Load today's orders" }).click();
  await until("every order listed", async () => (await page.locator("#orders-body tr").count()) === orders.length);
  await textMatches(page.locator("#progress-text"), new RegExp(`^0 of ${orders.length} labels printed$`));
  await page.getByLabel("Labels on").selectOption("label-1");
  await page.getByLabel("Pick list on").selectOption("pick-1");

  await page.getByRole("button", { name: "Print pick list" }).click();
  await textMatches(page.locator("#job-text"), /^Pick list printed\.$/);
  assert.ok(picks.documents.length >= 1, `the pick list printer got ${picks.documents.length} documents`);

  await page.getByRole("button", { name: "Print labels" }).click();
  await textMatches(page.locator("#progress-text"), new RegExp(`^${orders.length} of ${orders.length} labels printed$`));
  await textMatches(page.locator("#job-text"), /All labels sent to the printer\./);
  for (const o of orders) {
    const cell = page.locator(`tr[data-order="${o.order_id}"] .label-state`);
    assert.equal(await cell.getAttribute("data-state"), "printed", `order ${o.order_id}`);
    assert.equal(await cell.innerText(), "Printed", `order ${o.order_id}`);
  }
  assert.equal(await page.locator("#progress").evaluate((p) => [p.value, p.max].join("/")), `${orders.length}/${orders.length}`);
  // One document per label, each a whole ZPL label, and nothing else.
  assert.equal(labels.documents.length, orders.length, "labels received by the label printer");
  for (const d of labels.documents) assert.match(d, /^\s*\^XA[\s\S]*\^XZ$/);
  assert.equal(await page.locator("#refused").isHidden(), true);
  await shot(page, "dashboard-printed");

  // Clicking again prints nothing twice: the batch's idempotency key.
  await page.getByRole("button", { name: "Print labels" }).click();
  await textMatches(page.locator("#job-text"), /was printed before; labelbridge did not print it again/);
  assert.equal(labels.documents.length, orders.length, "labels after printing the same batch again");

  assert.deepEqual(errors, []);
  await page.close();
});

test("from an origin not allowed the dashboard is refused, says why and what to do, and prints nothing", async () => {
  const before = labels.documents.length;
  const page = await browser.newPage();
  await page.goto(dashboardURL(otherSite));
  const box = page.getByRole("alert");
  await box.waitFor({ state: "visible", timeout: 30000 });
  assert.equal(await page.locator("#refused-title").innerText(), "labelbridge refused this page");
  const text = await page.locator("#refused-text").innerText();
  assert.match(text, new RegExp(`refused this page \\(${origin(otherSite).replaceAll(".", "\\.")}\\)`));
  assert.match(text, /allowed_origins/);
  assert.match(text, new RegExp(`status page ${daemon.http.replaceAll(".", "\\.")}/`));
  assert.equal(await page.locator("#refused-code").innerText(), "Error code: unauthorized");
  assert.equal(await page.locator("#conn").innerText(), "Not connected");

  // Orders load, but nothing can be printed.
  await page.getByRole("button", { name: "Load today's orders" }).click();
  await until("every order listed", async () => (await page.locator("#orders-body tr").count()) === orders.length);
  assert.equal(await page.getByRole("button", { name: "Print labels" }).isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: "Print pick list" }).isDisabled(), true);
  await shot(page, "dashboard-refused");

  // The daemon lists the refused page for an admin to decide on.
  const list = await daemon.api("/v1/origins");
  assert.ok(
    list.pending.some((p) => p.origin === origin(otherSite)),
    `pending origins ${JSON.stringify(list.pending)} lack ${origin(otherSite)}`,
  );
  assert.equal(labels.documents.length, before);
  await page.close();
});

test("with labelbridge not running the dashboard says so and how to check", async () => {
  const nothing = `ws://127.0.0.1:${await freePort()}/v1/ws`;
  const page = await browser.newPage();
  await page.goto(`${origin(allowedSite)}/?daemon=${encodeURIComponent(nothing)}`);
  await page.getByRole("alert").waitFor({ state: "visible", timeout: 30000 });
  assert.equal(await page.locator("#refused-title").innerText(), "labelbridge is not running");
  assert.match(await page.locator("#refused-text").innerText(), /not answering at ws:\/\/127\.0\.0\.1:\d+\/v1\/ws\. Check that it is running/);
  assert.equal(await page.locator("#refused-code").innerText(), "Error code: unreachable");
  await shot(page, "dashboard-unreachable");
  await page.close();
});

test("when the printer runs out of labels the dashboard says so; stopped orders print on retry", async () => {
  const batch = { batch_id: "B-2-009", orders: orders.slice(0, 3) };
  const before = labels.documents.length;
  const page = await browser.newPage();
  await page.goto(dashboardURL(allowedSite));
  await textMatches(page.locator("#conn"), /^Connected to /);
  await page.getByLabel("Or open a batch file").setInputFiles({ name: "batch.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(batch)) });
  await textMatches(page.locator("#batch-id"), /^B-2-009$/);
  await page.getByLabel("Labels on").selectOption("label-1");

  labels.paperOut = true;
  await page.getByRole("button", { name: "Print labels" }).click();
  await textMatches(page.locator("#job-text"), /^Waiting: printer label-1 is out of labels: load a new roll\. Printing goes on by itself\.$/);
  await shot(page, "dashboard-paper-out");
  await page.getByRole("button", { name: "Stop printing" }).click();
  await textMatches(page.locator("#job-text"), /^Printing stopped\.$/);
  await textMatches(page.locator("#progress-text"), /^0 of 3 labels printed, 3 not printed$/);
  for (const o of batch.orders) {
    assert.equal(await page.locator(`tr[data-order="${o.order_id}"] .label-state`).innerText(), "Not printed (stopped)");
  }
  assert.equal(labels.documents.length, before, "labels printed while out of paper");

  labels.paperOut = false;
  await page.getByRole("button", { name: "Retry the 3 not printed" }).click();
  await textMatches(page.locator("#progress-text"), /^3 of 3 labels printed$/);
  assert.equal(await page.getByRole("button", { name: "Retry the 3 not printed" }).isHidden(), true);
  assert.equal(labels.documents.length, before + 3);
  await page.close();
});
