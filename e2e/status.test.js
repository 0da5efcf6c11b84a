// The daemon's status page (web/, served at /) in headless Chromium against
// the real daemon and a printer simulator that answers Zebra's ~HS host
// status query: a paper-out shows in plain words and clears when paper is
// back; test prints, cancel, reprint, the preview and the pending-origin
// decision work from the page.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build, Daemon } from "./lib/daemon.js";
import { PrinterSim } from "./lib/printer.js";
import { launch, shot, textMatches, until } from "./lib/browser.js";

let tmp, bin, sim, daemon, browser;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "labelbridge-e2e-"));
  bin = build(tmp);
  sim = await PrinterSim.start();
  daemon = await Daemon.start({ bin, dir: tmp, printers: [{ name: "label-1", connection: sim.url, language: "zpl" }] });
  browser = await launch(tmp);
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
  await sim?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function openStatus() {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${daemon.http}/`);
  await textMatches(page.locator("#conn"), /^Live$/);
  await page.locator('.printer[data-printer="label-1"]').waitFor();
  return { page, errors };
}

const jobRow = (page, id) => page.locator(`#jobs-body tr[data-job="${id}"]`);

test("the status page shows a printer's paper-out in plain words, then its recovery", async () => {
  const { page, errors } = await openStatus();
  const card = page.locator('.printer[data-printer="label-1"]');
  await textMatches(page.locator("#no-problems"), /^No problems right now\.$/);

  // Out of paper: the daemon asks the printer (~HS) before printing the
  // test label, learns it is out of paper and holds the job.
  sim.paperOut = true;
  await page.getByRole("button", { name: "Print a test label on label-1" }).click();
  await textMatches(card.locator(".note"), /^Test label sent \(job /);
  const problem = page.locator('#problems li[data-printer="label-1"]');
  const said = await textMatches(problem, /^Printer label-1: paper out since \d\d:\d\d\b/);
  assert.match(said, /Load a new roll of labels/);
  await textMatches(card.locator(".state"), /^Fault: paper out$/);
  const row = page.locator("#jobs-body tr").first();
  await textMatches(row.locator(".state"), /^Waiting$/);
  assert.match(await row.locator(".why").innerText(), /^paper out since \d\d:\d\d$/);
  assert.equal(await page.locator("#no-problems").isHidden(), true);
  assert.equal(sim.documents.length, 0, "documents printed while out of paper");
  await shot(page, "status-paper-out");

  // Paper is back: the job goes on by itself and the problem moves to
  // the earlier ones.
  sim.paperOut = false;
  await textMatches(row.locator(".state"), /^Done$/);
  await textMatches(card.locator(".state"), /^Ready$/);
  await textMatches(page.locator("#no-problems"), /^No problems right now\.$/);
  assert.equal(await page.locator("#problems li").count(), 0);
  await page.locator("#earlier summary").click();
  await textMatches(page.locator("#earlier-list"), /Printer label-1: paper out from \d\d:\d\d to \d\d:\d\d/);
  assert.match(await row.locator(".count").innerText(), /^1 of 1 document$/);
  assert.equal(sim.documents.length, 1, "documents printed after the paper came back");
  await shot(page, "status-recovered");
  assert.deepEqual(errors, []);
  await page.close();
});

test("from the status page a waiting job is cancelled and a finished one reprinted", async () => {
  const { page, errors } = await openStatus();
  const printed = sim.documents.length;

  sim.paperOut = true;
  const { job_id: held } = await daemon.api("/v1/printers/label-1/test", { method: "POST" });
  await textMatches(jobRow(page, held).locator(".state"), /^Waiting$/);
  await page.getByRole("button", { name: `Cancel job ${held.slice(0, 8)}…` }).click();
  await textMatches(jobRow(page, held).locator(".state"), /^Cancelled$/);
  sim.paperOut = false;
  assert.equal((await daemon.api(`/v1/jobs/${held}`)).state, "cancelled");

  // A reprint is a new job with the same documents.
  await page.getByRole("button", { name: `Reprint job ${held.slice(0, 8)}…` }).click();
  const msg = await textMatches(page.locator("#jobs-msg"), /is printing again as job /);
  await until("the reprint done", async () => {
    const rows = await page.locator("#jobs-body tr").all();
    const states = await Promise.all(rows.map((r) => r.getAttribute("data-state")));
    return { ok: states[0] === "done" && sim.documents.length === printed + 1, saw: { states, msg, docs: sim.documents.length } };
  });
  assert.equal(await page.locator("#jobs-body tr").first().locator(".docs span").getAttribute("data-state"), "printed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the status page previews a sample label for the chosen printer", async () => {
  const { page, errors } = await openStatus();
  const printed = sim.documents.length;
  await page.getByLabel("Printer", { exact: true }).selectOption("label-1");
  await page.getByRole("button", { name: "Show preview" }).click();
  const img = page.getByRole("img", { name: "Sample shipping label as label-1 prints it" });
  await img.waitFor();
  // 100 x 150 mm at 203 dpi, in whole dots.
  const size = await until("the preview drawn", async () => {
    const s = await img.evaluate((i) => ({ w: i.naturalWidth, h: i.naturalHeight, done: i.complete }));
    return { ok: s.done && s.w > 0, saw: s, s };
  });
  assert.equal(size.s.w, 799);
  assert.ok(Math.abs(size.s.h - 1199) <= 1, `preview is ${size.s.h} dots tall, want 1199 ± 1`);
  assert.equal(sim.documents.length, printed, "a preview prints nothing");
  await shot(page, "status-preview");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a web page refused by the daemon waits on the status page, and Allow lets it in", async () => {
  const { page, errors } = await openStatus();
  const shop = "https://shop.example.com";
  // A browser on that site tries to reach the daemon and is refused.
  const refused = await fetch(`${daemon.http}/v1/printers`, { headers: { Origin: shop } });
  assert.equal(refused.status, 403);

  // Origins have no events: the page reads them again within 10 s.
  const row = page.locator(`#pending-body tr[data-origin="${shop}"]`);
  await row.waitFor({ timeout: 20000 });
  assert.match(await row.innerText(), /https:\/\/shop\.example\.com\s+\d\d:\d\d\s+\d\d:\d\d\s+1\b/);
  await shot(page, "status-pending-origin");
  await page.getByRole("button", { name: `Allow ${shop}` }).click();
  await textMatches(page.locator("#origins-msg"), /^https:\/\/shop\.example\.com may now print\.$/);
  await textMatches(page.locator("#allowed"), /https:\/\/shop\.example\.com/);
  assert.equal(await row.count(), 0);
  const allowed = await fetch(`${daemon.http}/v1/printers`, { headers: { Origin: shop } });
  assert.equal(allowed.status, 200);
  assert.deepEqual(errors, []);
  await page.close();
});

test("with tokens turned on the page asks for one, keeps it for the tab, and says when a change needs an admin token", async () => {
  const printer = await PrinterSim.start();
  const locked = await Daemon.start({
    bin,
    dir: tmp,
    printers: [{ name: "label-1", connection: printer.url, language: "zpl" }],
    tokens: [{ name: "packer" }, { name: "admin", admin: true }],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${locked.http}/`);
    const panel = page.getByRole("region", { name: "Access token needed" });
    await panel.waitFor();
    assert.match(await panel.innerText(), /access tokens turned on/);
    assert.equal(await page.locator("#conn").innerText(), "Not connected");
    assert.equal(await page.locator(".printer").count(), 0);
    await shot(page, "status-token-needed");

    await page.getByLabel("Token", { exact: true }).fill(locked.tokens.packer);
    await page.getByRole("button", { name: "Use this token" }).click();
    await textMatches(page.locator("#conn"), /^Live$/);
    await page.locator('.printer[data-printer="label-1"]').waitFor();
    assert.equal(await panel.isHidden(), true);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("labelbridge.token")), locked.tokens.packer);

    // A page from another site is refused and waits for a decision.
    const shop = "https://shop.example.com";
    const refused = await fetch(`${locked.http}/v1/printers`, { headers: { Origin: shop } });
    assert.equal(refused.status, 403);

    // The token stays for the tab: a reload connects at once.
    await page.reload();
    await textMatches(page.locator("#conn"), /^Live$/);
    const row = page.locator(`#pending-body tr[data-origin="${shop}"]`);
    await row.waitFor();

    // A packer's token may print but not let web pages in.
    await page.getByRole("button", { name: `Allow ${shop}` }).click();
    await textMatches(page.locator("#origins-msg"), /^Could not change https:\/\/shop\.example\.com: /);
    await panel.waitFor();
    assert.match(await panel.innerText(), /needs an admin token/);
    assert.deepEqual((await locked.api("/v1/origins", { token: locked.tokens.admin })).allowed, []);

    await page.getByLabel("Token", { exact: true }).fill(locked.tokens.admin);
    await page.getByRole("button", { name: "Use this token" }).click();
    await textMatches(page.locator("#conn"), /^Live$/);
    await page.getByRole("button", { name: `Allow ${shop}` }).click();
    await textMatches(page.locator("#origins-msg"), /^https:\/\/shop\.example\.com may now print\.$/);
    assert.deepEqual((await locked.api("/v1/origins", { token: locked.tokens.admin })).allowed, [shop]);
    await shot(page, "status-tokens");
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await locked.stop();
    await printer.close();
  }
});

// twoPagePDF is a minimal PDF of two 100x150 mm pages with a black box each,
// as a marketplace's label file would come, in miniature.
function twoPagePDF() {
  const content = "0 0 0 rg 20 20 150 300 re f";
  const objs = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 283 425] /Contents 5 0 R >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 283 425] /Contents 5 0 R >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = "%PDF-1.4\n";
  const offsets = objs.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1").toString("base64");
}

test("the status page names a PDF's pages by the file's ref and the page", async () => {
  const { page, errors } = await openStatus();
  const { job_id: id } = await daemon.api("/v1/jobs", {
    method: "POST",
    json: { printer: "label-1", documents: [{ ref: "awb-0412", kind: "pdf", content_base64: twoPagePDF() }] },
  });
  await until("both pages shown with their numbers", async () => {
    const titles = await jobRow(page, id).locator(".docs span").evaluateAll((cells) => cells.map((c) => c.title));
    return { ok: titles.length === 2 && /^1 awb-0412 page 1: /.test(titles[0]) && /^2 awb-0412 page 2: /.test(titles[1]), saw: titles };
  });
  assert.deepEqual(errors, []);
  await page.close();
});
