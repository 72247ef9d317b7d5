"""A loopback HTTP proxy that injects faults in front of an AWS endpoint (the emulator), for the
soak tests. Requests pass through unchanged (headers included, so SigV4 signatures still verify
upstream); on a chosen share of calls, before the request is forwarded, it instead
  * answers 503 (the service's own shape of a server error),
  * answers with a throttling error in the caller's protocol family (query/XML `Throttling`,
    JSON `ThrottlingException`, REST-JSON 429, S3 `SlowDown`),
  * resets the connection without an answer,
  * or stalls for a few seconds and then forwards.
Faults are injected before the request reaches the service, as a client sees an overloaded or
unreachable endpoint; a lost answer to a call that did take effect is not simulated (no client can
tell it from success on a standard SNS topic, see docs/reports.md).

usage (standalone): python3 fault_proxy.py UPSTREAM_URL [--rate 0.2] [--stall 2.5] [--seed N]
Prints {"endpoint": "http://127.0.0.1:PORT"} and runs until killed.
"""
import argparse
import http.client
import http.server
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse

FAULTS = ["unavailable", "throttle", "reset", "stall"]


def family(headers, path, body):
    target = headers.get("X-Amz-Target") or headers.get("x-amz-target")
    if target:
        return "json"
    content_type = (headers.get("Content-Type") or "").lower()
    if "x-www-form-urlencoded" in content_type or b"Action=" in body[:200]:
        return "query"
    if path.startswith("/model/") or path.startswith("/Trace") or path.startswith("/Traces"):
        return "rest-json"
    return "s3"


def throttle_response(kind):
    if kind == "json":
        return 400, "application/x-amz-json-1.0", json.dumps(
            {"__type": "ThrottlingException", "message": "Rate exceeded (injected)"}).encode(), {}
    if kind == "query":
        return 400, "text/xml", (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                                 b"<Message>Rate exceeded (injected)</Message></Error>"
                                 b"<RequestId>fault-proxy</RequestId></ErrorResponse>"), {}
    if kind == "rest-json":
        return 429, "application/json", json.dumps({"message": "Rate exceeded (injected)"}).encode(), {
            "X-Amzn-ErrorType": "ThrottlingException"}
    return 503, "application/xml", (b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate "
                                    b"(injected)</Message><RequestId>fault-proxy</RequestId></Error>"), {}


def unavailable_response(kind):
    if kind == "json":
        return 503, "application/x-amz-json-1.0", json.dumps(
            {"__type": "ServiceUnavailable", "message": "Service unavailable (injected)"}).encode(), {}
    if kind == "rest-json":
        return 503, "application/json", json.dumps({"message": "Service unavailable (injected)"}).encode(), {
            "X-Amzn-ErrorType": "ServiceUnavailableException"}
    if kind == "query":
        return 503, "text/xml", (b"<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>"
                                 b"<Message>Service unavailable (injected)</Message></Error>"
                                 b"<RequestId>fault-proxy</RequestId></ErrorResponse>"), {}
    return 503, "application/xml", (b"<Error><Code>ServiceUnavailable</Code><Message>(injected)</Message>"
                                    b"<RequestId>fault-proxy</RequestId></Error>"), {}


class FaultProxy:
    def __init__(self, upstream, rate=0.2, stall=2.5, seed=None):
        parsed = urllib.parse.urlparse(upstream)
        self.upstream_host, self.upstream_port = parsed.hostname, parsed.port or 80
        self.rate, self.stall = rate, stall
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.counts = {"calls": 0, **{fault: 0 for fault in FAULTS}}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                with proxy.lock:
                    proxy.counts["calls"] += 1
                    fault = proxy.random.choice(FAULTS) if proxy.random.random() < proxy.rate else None
                    if fault:
                        proxy.counts[fault] += 1
                kind = family(headers, self.path, body)
                if fault == "reset":
                    # RST instead of FIN: the client sees "connection reset by peer".
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                if fault in ("unavailable", "throttle"):
                    status, content_type, payload, extra = (
                        throttle_response(kind) if fault == "throttle" else unavailable_response(kind))
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("x-amzn-RequestId", "fault-proxy")
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault == "stall":
                    time.sleep(proxy.stall)
                connection = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=120)
                try:
                    connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in headers.items():
                        connection.putheader(name, value)
                    connection.endheaders(body if body else None)
                    response = connection.getresponse()
                    payload = response.read()
                    self.send_response(response.status, response.reason)
                    for name, value in response.getheaders():
                        if name.lower() in ("transfer-encoding", "connection", "content-length"):
                            continue
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                finally:
                    connection.close()

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()

    def snapshot(self):
        with self.lock:
            return dict(self.counts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("upstream")
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--stall", type=float, default=2.5)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    proxy = FaultProxy(args.upstream, args.rate, args.stall, args.seed).start()
    print(json.dumps({"endpoint": proxy.endpoint}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    sys.exit(main())
