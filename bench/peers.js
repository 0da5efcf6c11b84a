// Converts the benchmark PNG with the npm peers, the same way lbbench image
// converts it with labelbridge: decode, scale/dither to the printer's dots,
// encode. Prints one JSON object. Usage: node peers.js PNG N
'use strict';
const fs = require('node:fs');
const { PNG } = require('pngjs');
const { rgbaToZ64, rgbaToACS } = require('zpl-image');
const ReceiptPrinterEncoder = require('@point-of-sale/receipt-printer-encoder');

const [, , pngPath, nArg] = process.argv;
const n = Number(nArg || 50);
const src = fs.readFileSync(pngPath);
const RECEIPT_W = 576, RECEIPT_H = 864; // 80 mm paper, the picture's 2:3 aspect

function time(fn) {
  let out;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) out = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms_per_op: ms / n, out };
}

// zpl-image returns the ^GF field only; wrapped in ^XA ^FO ... ^FS ^XZ it is
// a whole label format, as labelbridge's output is.
function zplWay(name, fn, field) {
  const r = time(() => {
    const png = PNG.sync.read(src);
    const res = fn(png.data, png.width, { black: 50, notrim: true });
    return { zpl: `^XA^FO0,0^GFA,${res.length},${res.length},${res.rowlen},${res[field]}^FS^XZ\n`, w: png.width, h: png.height };
  });
  return { name, ms_per_op: r.ms_per_op, bytes: Buffer.byteLength(r.out.zpl), width: r.out.w, height: r.out.h, algorithm: 'threshold (no dithering)' };
}

const decode = time(() => PNG.sync.read(src));
const results = [
  { name: 'PNG decode only (pngjs)', ms_per_op: decode.ms_per_op, bytes: 0, width: decode.out.width, height: decode.out.height, algorithm: '' },
  zplWay('zpl-image Z64', rgbaToZ64, 'z64'),
  zplWay('zpl-image ACS', rgbaToACS, 'acs'),
];
for (const algorithm of ['bayer', 'threshold']) {
  const r = time(() => {
    const png = PNG.sync.read(src);
    const enc = new ReceiptPrinterEncoder({ language: 'esc-pos', imageMode: 'raster' });
    return enc.initialize().image({ width: png.width, height: png.height, data: png.data }, RECEIPT_W, RECEIPT_H, algorithm, 128).encode();
  });
  results.push({ name: `receipt-printer-encoder ${algorithm}`, ms_per_op: r.ms_per_op, bytes: r.out.length, width: RECEIPT_W, height: RECEIPT_H, algorithm: algorithm === 'bayer' ? 'ordered (Bayer)' : 'threshold' });
}
const versions = {};
for (const p of ['zpl-image', '@point-of-sale/receipt-printer-encoder', 'pngjs']) {
  const file = require('node:path').join(__dirname, 'node_modules', p, 'package.json');
  versions[p] = JSON.parse(fs.readFileSync(file, 'utf8')).version;
}
console.log(JSON.stringify({ png: pngPath, n, node: process.version, versions, results }, null, 2));
