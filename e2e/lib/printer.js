// A Zebra-like raw TCP 9100 printer for the tests: it keeps every ZPL
// document it receives (^XA … ^XZ) and answers the host status query ~HS
// the way the ZPL II Programming Guide describes it, with flags the test
// sets: paper out, paused, head open.

import net from "node:net";

// hostStatus is a printer's answer to ~HS: three strings, each framed as
// STX … ETX CR LF.
//
//	aaa,b,c,dddd,eee,f,g,h,iii,j,k,l   b paper out, c paused, eee formats
//	                                   waiting in the buffer
//	mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www   o head up, p ribbon out,
//	                                   uuuuuuuu labels left to print
//	xxxx,y                             password, static RAM installed
export function hostStatus({ paperOut = false, paused = false, headOpen = false } = {}) {
  const frame = (s) => `\x02${s}\x03\r\n`;
  return (
    frame(`030,${paperOut ? 1 : 0},${paused ? 1 : 0},1218,000,0,0,0,000,0,0,0`) +
    frame(`001,0,${headOpen ? 1 : 0},0,0,2,6,0,00000000,1,000`) +
    frame("1234,0")
  );
}

export class PrinterSim {
  /** documents holds each whole ZPL document received, in order. */
  documents = [];
  /** queries counts the ~HS queries answered. */
  queries = 0;
  paperOut = false;
  paused = false;
  headOpen = false;
  #sockets = new Set();

  static async start() {
    const sim = new PrinterSim();
    sim.server = net.createServer((sock) => sim.#accept(sock));
    await new Promise((resolve) => sim.server.listen(0, "127.0.0.1", resolve));
    return sim;
  }

  get url() {
    return `tcp://127.0.0.1:${this.server.address().port}`;
  }

  #accept(sock) {
    this.#sockets.add(sock);
    sock.on("close", () => this.#sockets.delete(sock));
    sock.on("error", () => {});
    // latin1 keeps every byte as one character, so offsets stay bytes.
    let pending = "";
    sock.on("data", (chunk) => {
      pending += chunk.toString("latin1");
      for (;;) {
        const hs = pending.indexOf("~HS");
        const xz = pending.indexOf("^XZ");
        // ~HS between documents is a query; inside a document it would
        // be part of it (the daemon never sends one there).
        if (hs >= 0 && (xz < 0 || hs < xz) && !pending.slice(0, hs).includes("^XA")) {
          this.queries++;
          sock.write(hostStatus(this), "latin1");
          pending = pending.slice(hs + 3);
          continue;
        }
        if (xz >= 0) {
          this.documents.push(pending.slice(0, xz + 3));
          pending = pending.slice(xz + 3);
          continue;
        }
        break;
      }
    });
  }

  /** received tells whether some document holds text (e.g. a tracking number). */
  received(text) {
    return this.documents.some((d) => d.includes(text));
  }

  async close() {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
