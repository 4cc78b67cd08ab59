/**
 * The countdash programs for clusters without Docker (the counter images are unavailable there):
 * small self-contained Python 3 servers written into the task directory by a Nomad template.
 * They avoid `{{` so consul-template leaves them alone.
 */

import { HANDLER_HELPERS } from "./python-programs";

/**
 * The counting API: JSON `{"count": n, "datacenter": …}` on `/` (the Nomad datacenter it runs in, so a
 * caller sees which one answered), `ok` on `/health`; loopback only, reached through Envoy.
 */
export const COUNT_API_PY = `import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "9001"))
LOCK = threading.Lock()
STATE = dict(count=0)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self.reply(200, "text/plain", b"ok")
            return
        with LOCK:
            STATE["count"] += 1
            count = STATE["count"]
        body = json.dumps(dict(count=count, service="count-api", datacenter=os.environ.get("NOMAD_DC", ""))).encode()
        self.reply(200, "application/json", body)

${HANDLER_HELPERS}

ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
`;

/**
 * The dashboard: calls the API at `COUNTING_SERVICE_URL` (the upstream or virtual address) and
 * serves the count as JSON on `/count` and as a page on `/`, and, given `PEER_COUNTING_SERVICE_URL`
 * (a cluster peer's API), that one's count on `/peer-count`; listens on all interfaces of the
 * namespace so the published host port reaches it.
 */
export const COUNT_DASHBOARD_PY = `import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "9002"))
API = os.environ["COUNTING_SERVICE_URL"]
PEER_API = os.environ.get("PEER_COUNTING_SERVICE_URL")


def fetch_count(url=API):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200, json.load(response)
    except Exception as error:
        return 502, dict(count=-1, error=str(error))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self.reply(200, "text/plain", b"ok")
            return
        if self.path == "/peer-count" and PEER_API:
            status, data = fetch_count(PEER_API)
            self.reply(status, "application/json", json.dumps(data).encode())
            return
        status, data = fetch_count()
        if self.path == "/count":
            self.reply(status, "application/json", json.dumps(data).encode())
            return
        page = "<html><body><h1>Count: %s</h1></body></html>" % data.get("count")
        self.reply(status, "text/html", page.encode())

${HANDLER_HELPERS}

ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
`;
