// A tiny HTTPS/1.1 server on node:tls that requires a client certificate and answers with
// what it saw. node:tls (not node:https) because in Bun 1.4.5 the node:https request socket
// has no getPeerCertificate(); node:tls sockets have it on all three runtimes.

import type { AddressInfo, Socket } from "node:net";
import { createServer, type TLSSocket } from "node:tls";

export interface EchoServer {
  /** https://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Lets a pending /stream response send its last line. */
  release(): void;
  close(): Promise<void>;
}

export interface Echo {
  cn: string | null;
  authorized: boolean;
  method: string;
  path: string;
  body: string;
  contentType: string | null;
}

export async function startEchoServer(opts: { cert: string; key: string; ca: string }): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const server = createServer({ ...opts, requestCert: true, rejectUnauthorized: true }, (sock: TLSSocket) => {
    let buf = Buffer.alloc(0);
    sock.on("error", () => {});
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buf.subarray(0, end).toString("latin1").split("\r\n");
      const [method = "", path = ""] = head[0]!.split(" ");
      const headers = new Map(
        head.slice(1).map((l) => {
          const i = l.indexOf(":");
          return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
        }),
      );
      const length = Number(headers.get("content-length") ?? 0);
      if (headers.get("transfer-encoding") !== undefined) {
        respond(sock, 400, "chunked request bodies are not supported here");
        return;
      }
      if (buf.length < end + 4 + length) return;
      sock.removeAllListeners("data");
      const peer = sock.getPeerCertificate();
      if (path === "/stream") {
        sock.write(
          "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        );
        const chunk = (s: string) => sock.write(`${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`);
        chunk("line 1\n");
        chunk("line 2\n");
        void gate.then(() => {
          chunk("line 3\n");
          sock.end("0\r\n\r\n");
        });
        return;
      }
      if (path.startsWith("/redirect")) {
        // /redirect?to=<path>: a 302 to <path> on this server.
        const to = decodeURIComponent(path.split("to=")[1] ?? "/hello");
        sock.end(`HTTP/1.1 302 Found\r\nlocation: ${to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
        return;
      }
      const echo: Echo = {
        cn: (peer?.subject?.CN as string | undefined) ?? null,
        authorized: sock.authorized,
        method,
        path,
        body: buf.subarray(end + 4, end + 4 + length).toString("utf8"),
        contentType: headers.get("content-type") ?? null,
      };
      respond(sock, path === "/no-content" ? 204 : 200, path === "/no-content" ? "" : JSON.stringify(echo));
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    release: () => release(),
    close: () => {
      release();
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function respond(sock: TLSSocket, status: number, body: string): void {
  const reason = status === 200 ? "OK" : status === 204 ? "No Content" : "Bad Request";
  const len = status === 204 ? "" : `content-length: ${Buffer.byteLength(body)}\r\ncontent-type: application/json\r\n`;
  sock.end(`HTTP/1.1 ${status} ${reason}\r\n${len}connection: close\r\n\r\n${body}`);
}
