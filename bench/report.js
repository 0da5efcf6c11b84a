// Writes BENCHMARKS.md from the JSON the suite's runs left in a directory
// (render.json, image.json, peers.json, e2e.json, machine.json).
// Usage: node report.js DIR > BENCHMARKS.md
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
const render = read('render.json').results;
const image = read('image.json');
const peers = read('peers.json');
const e2e = read('e2e.json');
const machine = read('machine.json');

const f = (v, d = 1) => Number(v).toFixed(d);
const kib = (b) => f(b / 1024, 1);
const mib = (kb) => f(kb / 1024, 1);
const met = (ok) => (ok ? '**met**' : '**not met**');
const lines = [];
const out = (s = '') => lines.push(s);
const table = (head, rows) => {
  out(`| ${head.join(' | ')} |`);
  out(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) out(`| ${r.join(' | ')} |`);
  out();
};

const scen = (printer) => e2e.scenarios.find((s) => s.printer === printer);
const thaiRaster = scen('zpl-raster');
const r = (lang, text, orders) => render.find((x) => x.language === lang && x.text === text && x.orders === orders);
const full = thaiRaster.batch_labels === 600 && thaiRaster.jobs >= 500;

out('# Benchmarks');
out();
out('Written by `scripts/bench` (`make bench`) from one run on the machine below; every figure on this');
out('page, ours and the peers\', comes from that same run. Re-run it to get figures for your machine.');
if (!full) {
  out();
  out(`**Quick run** (\`scripts/bench --quick\`: ${thaiRaster.jobs} single jobs, ${thaiRaster.batch_labels}-label batches): the suite runs, the figures are not the full measurement.`);
}
out();
out('## Machine');
out();
table(['', ''], [
  ['date', machine.date],
  ['CPU', `${machine.cpu} (${machine.nproc} cores available)`],
  ['kernel', machine.kernel],
  ['Go', machine.go],
  ['Node.js', peers.node],
  ['load average before / after', `${machine.load_before} / ${machine.load_after}`],
  ['fsync (512-byte append + fsync, median, in the data directory\'s file system)', `${f(e2e.fsync_median_ms, 2)} ms`],
]);
out('The machine is shared with other work (other builds and test runs were going on during the run:');
out('see the load average); timings, the end-to-end ones most, are noisier than on an idle machine.');
out('Sizes in bytes do not depend on load.');
out();

// Targets.
const printerMsPerLabel = 150 / 150 * 1000; // a 150 mm label at 150 mm/s
const budget = printerMsPerLabel / 100;
const zplThaiAuto = r('zpl', 'auto', 'thai');
out('## Targets');
out();
const rows = [];
for (const s of e2e.scenarios) {
  const per = s.batch_ms / s.batch_labels;
  rows.push([`daemon time per label < 1% of a 150 mm/s printer's time for a 150 mm label (${f(budget, 0)} ms): ${s.name}`,
    `one label: median ${f(s.median_ms)} ms, p99 ${f(s.p99_ms)} ms; in a ${s.batch_labels}-label batch ${f(per)} ms a label`,
    met(s.median_ms < budget && per < budget)]);
}
rows.push([`${thaiRaster.batch_labels}-label Thai raster batch rendered and delivered < 2 s on 2 cores`,
  `${f(thaiRaster.batch_ms / 1000, 2)} s on ${machine.nproc} cores` + (full ? '' : ' (quick run: not the 600-label batch)'),
  full ? met(thaiRaster.batch_ms < 2000) : 'not measured']);
rows.push(['idle memory < 25 MB', `${mib(e2e.idle_rss_kb)} MiB (${f(e2e.idle_rss_kb * 1024 / 1e6)} MB) resident`, met(e2e.idle_rss_kb * 1024 < 25e6)]);
rows.push(['a Thai shipping label < 16 KB on the wire as ZPL', `largest ${kib(zplThaiAuto.max_bytes)} KiB, mean ${kib(zplThaiAuto.mean_bytes)} KiB over ${zplThaiAuto.labels} labels (text: auto)`, met(zplThaiAuto.max_bytes < 16 * 1024)]);
table(['target', 'measured', ''], rows);

out('## End to end');
out();
out('A `labelbridge run` daemon (built from this tree) with three ZPL printers, each a TCP printer');
out('simulator (`printer/printertest`, answering `~HS` status queries like a real printer, so the daemon');
out('asks before every document). A Go client (`bench/lbbench e2e`) submits `print` jobs over one WebSocket');
out('and times from the submit to the last byte of the label (`^XZ`) arriving at the simulator. Single');
out(`jobs: ${thaiRaster.jobs} jobs of one document each, one at a time (the next starts once the job is \`done\`).`);
out(`Batch: one job of ${thaiRaster.batch_labels} documents.`);
out();
out('The durable store is on: the daemon fsyncs the job before it answers `accepted`, and records each');
out('document\'s progress (fsync) as it is sent, so every label pays for at least one fsync on this disk');
out(`(${f(e2e.fsync_median_ms, 2)} ms median here). Raw ZPL documents are the same ASCII labels rendered`);
out('beforehand, so raw against rendered shows what rendering in the daemon costs. The Thai orders are');
out('label/testdata/samples/orders-600.json; the ASCII ones are the same orders with every non-ASCII');
out('character replaced by an ASCII letter.');
out();
table(['document', 'one label: median', 'p99', 'min', 'of which to `accepted` (median)', `batch of ${thaiRaster.batch_labels}: total`, 'per label', 'batch to `accepted`', 'bytes to the printer'],
  e2e.scenarios.map((s) => [s.name, `${f(s.median_ms)} ms`, `${f(s.p99_ms)} ms`, `${f(s.min_ms)} ms`, `${f(s.accept_median_ms)} ms`,
    `${f(s.batch_ms / 1000, 2)} s`, `${f(s.batch_ms / s.batch_labels)} ms`, `${f(s.batch_accept_ms)} ms`, `${kib(s.batch_bytes)} KiB`]));
out('Single jobs start on an idle worker (the next is submitted once the previous is `done`).');
out();
out('Where the daemon\'s time goes, from its own metrics (`labelbridge_render_seconds`,');
out('`labelbridge_send_seconds`: mean per document over all of the scenario\'s documents; sending includes');
out('the status query before each document and the write to the simulator):');
out();
table(['document', 'render', 'send'], e2e.scenarios.map((s) => [s.name, `${f(s.render_mean_ms, 2)} ms`, `${f(s.send_mean_ms, 2)} ms`]));
out('## Memory');
out();
out('Resident set of the daemon (`/proc/PID/status`): idle is `VmRSS` 3 s after it reports healthy with');
out('three printers configured; peak is `VmHWM` during each batch (reset just before the batch through');
out('`/proc/PID/clear_refs` where the kernel allows, so each figure is that batch\'s own peak).');
out();
table(['', 'resident'], [
  ['idle', `${mib(e2e.idle_rss_kb)} MiB`],
  ...e2e.scenarios.map((s) => [`peak, ${s.batch_labels}-label batch: ${s.name}` + (s.peak_reset ? '' : ' (peak since start)'), `${mib(s.peak_rss_kb)} MiB`]),
]);

const pdfScen = scen('zpl-pdf');
if (pdfScen) {
  out('## Marketplace PDF labels');
  out();
  out(`One \`pdf\` document of ${pdfScen.batch_labels} pages (${kib(pdfScen.pdf_bytes)} KiB, made by \`bench/lbbench\` with fpdf: a`);
  out('100x150 mm page an order with vector Code 128 and QR codes and text, as courier systems produce them),');
  out('sent as it came; the daemon rasterizes each page with PDFium (WebAssembly, in process) at 203 dpi and');
  out('sends it as a ZPL `^GF` graphic. PDFium was started by the warm-up jobs before the batch; its first');
  out('start ever compiles it (seconds), later starts load it from the compilation cache in the data folder.');
  out();
  table(['', ''], [
    ['pages a second, submit to last page at the printer', f(pdfScen.batch_labels / (pdfScen.batch_ms / 1000), 0)],
    ['batch total', `${f(pdfScen.batch_ms / 1000, 2)} s`],
    ['daemon\'s render time a page (PDFium + ZPL; pages rendered ahead wait their turn for the one PDFium, and that wait counts)', `${f(pdfScen.render_mean_ms, 2)} ms`],
    [`peak resident memory during the batch${pdfScen.peak_reset ? '' : ' (since start)'}`, `${mib(pdfScen.peak_rss_kb)} MiB`],
    ['bytes to the printer a page (mean)', `${kib(pdfScen.batch_bytes / pdfScen.batch_labels)} KiB`],
  ]);
  out('Memory stays bounded because pages are rendered one at a time from one copy of the file, and PDFium is');
  out('let go after two idle minutes (`TestPDF600PagesThroughTheDaemon` checks the live heap stays flat).');
  out();
}

out('## Render throughput and bytes on the wire');
out();
out('`bench/lbbench render`: the renderer alone (layout and encoding, no daemon), 203 dpi, 100x150 mm');
out('labels (ESC/POS: 80 mm receipt paper, 576 dots wide), over the sample orders. One core is');
out('GOMAXPROCS=1 rendering serially; all cores is one worker per core. Seconds at 9600 baud: mean bytes');
out('× 10 bits (8N1) / 9600. `auto` draws ASCII text in the printer\'s font and everything else as a');
out('raster, so Thai labels are mostly raster either way.');
out();
table(['language', 'text', 'orders', 'labels/s, 1 core', `labels/s, ${render[0].cores} cores`, 'bytes/label (mean)', 'largest', 's/label at 9600 baud'],
  render.map((x) => [x.language, x.text, x.orders, f(x.labels_per_s_1core, 0), f(x.labels_per_s_all_cores, 0),
    `${kib(x.mean_bytes)} KiB`, `${kib(x.max_bytes)} KiB`, f(x.ms_at_9600_baud / 1000, 1)]));

out('## Against the peers: picture to printer bytes');
out();
out(`The same PNG (bench/testdata/photo-800x1200.png, ${image.png_bytes} bytes, a photo-like gradient with`);
out(`shapes) converted ${image.n} times each way, decode included; time is per conversion. ZPL at the`);
out('picture\'s 800x1200 dots (a 100x150 mm label at 203 dpi); ESC/POS scaled to 576x864 (80 mm paper).');
out('labelbridge: `dither.Ordered` (or `dither.Threshold`) then `zpl.Encode` / `escpos.Encode` of a page');
out('holding one Bitmap. zpl-image output is wrapped in `^XA^FO0,0` … `^FS^XZ` to be a whole label');
out('like ours. Peers: ' + Object.entries(peers.versions).map(([k, v]) => `${k} ${v}`).join(', ') + '.');
out();
const all = [...image.results.map((x) => ({ ...x, who: 'labelbridge (Go)' })), ...peers.results.map((x) => ({ ...x, who: 'npm (Node.js)' }))];
table(['conversion', '', 'dots', 'dithering', 'ms each', 'bytes'],
  all.map((x) => [x.name, x.who, `${x.width}x${x.height}`, x.algorithm || '-', f(x.ms_per_op, 2), x.bytes ? String(x.bytes) : '-']));
const find = (list, name) => list.find((x) => x.name === name);
const ratio = (ours, peer) => [ours.name, peer.name, `${f(peer.ms_per_op / ours.ms_per_op, 2)}x`, `${f(ours.bytes / peer.bytes, 2)}`];
const ratios = [
  ratio(find(image.results, 'labelbridge zpl threshold'), find(peers.results, 'zpl-image Z64')),
  ratio(find(image.results, 'labelbridge zpl threshold'), find(peers.results, 'zpl-image ACS')),
  ratio(find(image.results, 'labelbridge zpl'), find(peers.results, 'zpl-image Z64')),
  ratio(find(image.results, 'labelbridge escpos'), find(peers.results, 'receipt-printer-encoder bayer')),
];
out('Ratios (speed: peer time / our time, above 1 means labelbridge is faster; size: our bytes / peer bytes,');
out('below 1 means ours is smaller):');
out();
table(['labelbridge', 'peer', 'speed', 'size'], ratios);
out('zpl-image only thresholds (no dithering), so the like-for-like ZPL rows are ours with `dither.Threshold`;');
out('ours with ordered dithering does more work and prints greys, at a larger size. PNG decoding is a large');
out('share of every conversion; the decode-only rows show how much.');
out();

out('## Reproduce');
out();
out('```sh');
out('make bench            # or scripts/bench: the full run (about ten minutes), rewrites BENCHMARKS.md');
out('scripts/bench --quick # small sizes, writes the report to a temporary file; what CI runs');
out('```');
out();
out('Needs Go and Node.js with npm; the peers are pinned in bench/package-lock.json and installed with');
out('`npm ci` into bench/node_modules. The parts: `bench/lbbench` (Go: `e2e`, `render`, `image`, `gen`),');
out('`bench/peers.js` (the npm peers), `bench/report.js` (this page). The render package\'s own Go');
out('benchmarks (`go test -run \'^$\' -bench . ./render`) measure rendering the same way per language.');
process.stdout.write(lines.join('\n') + '\n');
