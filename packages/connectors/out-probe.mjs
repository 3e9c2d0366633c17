import { SenderOptions, createBuffer, createTransport } from "@questdb/nodejs-client";
const o = await SenderOptions.fromConfig("http::addr=127.0.0.1:9000;protocol_version=2;auto_flush=off;retry_timeout=1000", { log: (l, m) => console.log(l, String(m)) });
const b = createBuffer(o); const t = createTransport(o);
b.table("x_test").floatColumn("v", 1).at(Date.now() * 1000, "us");
const bytes = b.toBufferNew();
const t0 = Date.now();
try { await t.send(bytes); console.log("ok", Date.now() - t0); } catch (e) { console.log("err", Date.now() - t0, e.message, e.code); }
try { await t.send(bytes); console.log("ok", Date.now() - t0); } catch (e) { console.log("err", Date.now() - t0, e.message, e.code); }
