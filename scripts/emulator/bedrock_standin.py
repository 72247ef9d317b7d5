"""A Bedrock Runtime stand-in on loopback: verifies each request's SigV4 signature (botocore computes
the expected one), serves InvokeModel for the Anthropic Messages, Titan Text, Nova, Llama and Mistral
bodies and Converse, records every request for tests to read, and can be told to throttle, stall or
fail the next N calls.

Control endpoints (no signature): GET /_requests, POST /_reset, POST /_control with
{"mode": "throttle"|"stall"|"fail"|"timeout"|"denied", "count": N, "stall_seconds": S}, {"reply": "text"}
or {"latency_seconds": S} (every answer takes S seconds).
"""
import base64
import hashlib
import http.server
import json
import re
import threading
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

DEFAULT_REPLY = json.dumps({
    "summary": "The stand-in model read the evidence.",
    "root_cause": "stand-in analysis",
    "findings": [],
    "actions": ["Check the deployment"],
})


def family_of(model_id):
    model = model_id.split("/")[-1]
    for prefix in ("us.", "eu.", "apac.", "us-gov.", "global."):
        if model.startswith(prefix):
            model = model[len(prefix):]
            break
    for prefix, family in (("anthropic.", "anthropic"), ("amazon.titan-text", "titan"), ("amazon.nova", "nova"),
                           ("meta.llama", "llama"), ("mistral.", "mistral")):
        if model.startswith(prefix):
            return family
    return None


def invoke_response(family, body, reply):
    if family == "anthropic":
        if body.get("anthropic_version") != "bedrock-2023-05-31" or "max_tokens" not in body or "messages" not in body:
            return None
        return {"id": "msg_bdrk_standin", "type": "message", "role": "assistant", "model": "standin",
                "content": [{"type": "text", "text": reply}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": 100, "output_tokens": 20}}
    if family == "titan":
        if "inputText" not in body:
            return None
        return {"inputTextTokenCount": 100, "results": [{"tokenCount": 20, "outputText": reply, "completionReason": "FINISHED"}]}
    if family == "nova":
        if "messages" not in body:
            return None
        return {"output": {"message": {"role": "assistant", "content": [{"text": reply}]}}, "stopReason": "end_turn",
                "usage": {"inputTokens": 100, "outputTokens": 20, "totalTokens": 120}}
    if family == "llama":
        if "prompt" not in body:
            return None
        return {"generation": reply, "prompt_token_count": 100, "generation_token_count": 20, "stop_reason": "stop"}
    if family == "mistral":
        if "prompt" not in body:
            return None
        return {"outputs": [{"text": reply, "stop_reason": "stop"}]}
    return None


class BedrockStandIn:
    def __init__(self, credentials):
        """credentials: {access_key_id: secret_access_key} accepted for signing."""
        self.credentials = credentials
        self.lock = threading.Lock()
        self.requests = []
        self.mode = None
        self.count = 0
        self.stall_seconds = 5.0
        self.latency_seconds = 0.0
        self.reply = DEFAULT_REPLY
        handler = self._handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()

    def verify(self, method, raw_path, headers, body):
        """Recomputes the signature with botocore from what arrived; returns None or a reason."""
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        match = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                         r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", authorization)
        if not match:
            return "MissingAuthenticationToken"
        key_id, _, region, service, signed, signature = match.groups()
        if service != "bedrock":
            return "wrong signing name %s" % service
        secret = self.credentials.get(key_id)
        if secret is None:
            return "UnrecognizedClientException"
        lower = {k.lower(): v for k, v in headers.items()}
        names = signed.split(";")
        request = AWSRequest(method=method, url="http://%s%s" % (lower.get("host", ""), raw_path), data=body,
                             headers={n: lower.get(n, "") for n in names})
        token = lower.get("x-amz-security-token")
        auth = SigV4Auth(Credentials(key_id, secret, token), "bedrock", region)
        request.context["timestamp"] = lower.get("x-amz-date", "")
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        return None if expected == signature else "InvalidSignatureException"

    def _handler(self):
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, payload, error_type=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "standin-%d" % len(standin.requests))
                if error_type:
                    self.send_header("X-Amzn-ErrorType", error_type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/_requests":
                    with standin.lock:
                        return self.reply(200, standin.requests)
                self.reply(404, {"message": "not found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/_control":
                    command = json.loads(body or b"{}")
                    with standin.lock:
                        if "reply" in command:
                            standin.reply = command["reply"]
                        if "latency_seconds" in command:
                            standin.latency_seconds = float(command["latency_seconds"])
                        if "mode" in command:
                            standin.mode = command["mode"]
                            standin.count = int(command.get("count", 1))
                            standin.stall_seconds = float(command.get("stall_seconds", standin.stall_seconds))
                    return self.reply(200, {"ok": True})
                if self.path == "/_reset":
                    with standin.lock:
                        standin.requests.clear()
                        standin.mode, standin.count, standin.reply = None, 0, DEFAULT_REPLY
                        standin.latency_seconds = 0.0
                    return self.reply(200, {"ok": True})
                self.model_call(body)

            def model_call(self, body):
                headers = {k: v for k, v in self.headers.items()}
                problem = standin.verify("POST", self.path, headers, body)
                match = re.match(r"^/model/([^/]+)/(converse|invoke)$", self.path)
                record = {"path": self.path, "headers": headers, "body": body.decode("utf-8", "replace"),
                          "signature_valid": problem is None, "time": time.time()}
                with standin.lock:
                    standin.requests.append(record)
                    mode = None
                    if standin.mode and standin.count > 0:
                        mode = standin.mode
                        standin.count -= 1
                    reply_text = standin.reply
                if problem:
                    status = 403
                    code = "InvalidSignatureException" if problem.startswith("InvalidSignature") else "UnrecognizedClientException"
                    return self.reply(status, {"message": "The request signature we calculated does not match (%s)" % problem}, code)
                if mode == "throttle":
                    return self.reply(429, {"message": "Too many requests, please wait before trying again."}, "ThrottlingException")
                if mode == "fail":
                    return self.reply(503, {"message": "Service unavailable"}, "ServiceUnavailableException")
                if mode == "timeout":
                    return self.reply(408, {"message": "Model has timed out"}, "ModelTimeoutException")
                if mode == "denied":
                    return self.reply(403, {"message": "You don't have access to the model"}, "AccessDeniedException")
                if mode == "stall":
                    time.sleep(standin.stall_seconds)
                if standin.latency_seconds:
                    time.sleep(standin.latency_seconds)
                if not match:
                    return self.reply(404, {"message": "unknown path"}, "ResourceNotFoundException")
                model_id = urllib.parse.unquote(match.group(1))
                try:
                    document = json.loads(body)
                except ValueError:
                    return self.reply(400, {"message": "Malformed input request"}, "ValidationException")
                if match.group(2) == "converse":
                    if not document.get("messages"):
                        return self.reply(400, {"message": "messages required"}, "ValidationException")
                    return self.reply(200, {"output": {"message": {"role": "assistant", "content": [{"text": reply_text}]}},
                                            "stopReason": "end_turn",
                                            "usage": {"inputTokens": 100, "outputTokens": 20, "totalTokens": 120},
                                            "metrics": {"latencyMs": 5}})
                family = family_of(model_id)
                response = invoke_response(family, document, reply_text) if family else None
                if response is None:
                    return self.reply(400, {"message": "Malformed input request for %s" % model_id}, "ValidationException")
                self.reply(200, response)

        return Handler
