// render.cjs renders the ZPL read from standard input with zpl-renderer-js
// (the zebrash renderer built to WebAssembly) and writes the first label as
// PNG: node render.cjs WIDTH_MM HEIGHT_MM DOTS_PER_MM OUT.png
const fs = require('fs');
const { ready } = require('zpl-renderer-js');

async function main() {
  const [widthMm, heightMm, dpmm, out] = process.argv.slice(2);
  if (!out) {
    throw new Error('usage: node render.cjs WIDTH_MM HEIGHT_MM DOTS_PER_MM OUT.png');
  }
  const zpl = fs.readFileSync(0, 'utf8');
  const { api } = await ready;
  const png = await api.zplToBase64Async(zpl, Number(widthMm), Number(heightMm), Number(dpmm));
  fs.writeFileSync(out, Buffer.from(png, 'base64'));
}

main().then(() => process.exit(0), (err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
