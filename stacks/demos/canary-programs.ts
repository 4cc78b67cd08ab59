/**
 * The canary demo's programs for clusters without Docker: small self-contained Python 3 servers
 * written into the task directory by a Nomad template (no `{{`, so consul-template leaves them alone).
 */

import { HANDLER_HELPERS } from "./python-programs";

/**
 * The greeter: answers every method and path with JSON naming its `VERSION`, so a caller can count
 * which version served it; `ok` on `/health`. Loopback only, reached through Envoy.
 */
export const GREETER_PY = `import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "9010"))
VERSION = os.environ["VERSION"]


class Handler(BaseHTTPRequestHandler):
    def answer(self):
        if self.path == "/health":
            self.reply(200, "text/plain", b"ok")
            return
        body = dict(service="greeter", version=VERSION, method=self.command, path=self.path)
        self.reply(200, "application/json", json.dumps(body).encode())

    do_GET = do_POST = do_PUT = do_DELETE = answer

${HANDLER_HELPERS}

ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
`;

/**
 * The web front: forwards each request (method, path, headers that route, body) to the greeter
 * through its sidecar's upstream at `GREETER_ADDR`, and passes the answer back unchanged, status
 * included, so the mesh's splits, routes and 403s show to whoever calls the front.
 */
export const CANARY_WEB_PY = `import http.client
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "9011"))
HOST, _, UPSTREAM_PORT = os.environ["GREETER_ADDR"].rpartition(":")
FORWARDED = ("Content-Type", "X-Canary", "X-Team")


class Handler(BaseHTTPRequestHandler):
    def forward(self):
        if self.path == "/health":
            self.reply(200, "text/plain", b"ok")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = dict((k, self.headers[k]) for k in FORWARDED if self.headers.get(k))
        try:
            connection = http.client.HTTPConnection(HOST, int(UPSTREAM_PORT), timeout=5)
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            status, data = response.status, response.read()
            content_type = response.getheader("Content-Type", "text/plain")
            connection.close()
        except Exception as error:
            status, data, content_type = 502, str(error).encode(), "text/plain"
        self.reply(status, content_type, data)

    do_GET = do_POST = do_PUT = do_DELETE = forward

${HANDLER_HELPERS}

ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
`;
