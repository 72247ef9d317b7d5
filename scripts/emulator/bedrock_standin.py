"""A Bedrock stand-in on loopback: verifies each request's SigV4 signature (botocore computes the
expected one), serves InvokeModel for the Anthropic Messages, Titan Text, Nova, Llama and Mistral
bodies and Converse, records every request for tests to read, and can be told to throttle, stall or
fail the next N calls.

Like Bedrock in late 2026: EOL model IDs answer the documented ResourceNotFoundException ("This model
version has reached the end of its life…"), Legacy ones the "marked by provider as Legacy" text,
profile-only base IDs the on-demand ValidationException, and geography/global profiles answer only for
the geographies the model has. Usage carries prompt-cache reads and writes when the request has a
cache point after a prefix of at least cache_min_tokens (1,024 by default, Claude Sonnet's minimum;
~4 characters a token). IDs it does not list answer like an active on-demand model. The control plane
(the `bedrock` service) serves GetFoundationModel and GetInferenceProfile from the same table.

Control endpoints (no signature): GET /_requests (each with "time" and, once answered, "finished"),
POST /_reset, POST /_control with {"mode": "throttle"|"stall"|"fail"|"timeout"|"denied", "count": N,
"stall_seconds": S}, {"reply": "text"}, {"latency_seconds": S} (every answer takes S seconds),
{"truncate": N} (the next N answers stop at max_tokens, cut in half) or {"cache_min_tokens": N}.
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


GEOGRAPHIES = ("us-gov", "us", "eu", "apac", "jp", "au", "global")

EOL_TEXT = "This model version has reached the end of its life. Please refer to the AWS documentation for more details."
LEGACY_TEXT = ("Access denied. This Model is marked by provider as Legacy and you have not been actively using the "
               "model in the last 30 days. Please upgrade to an active model on Amazon Bedrock")
ON_DEMAND_TEXT = ("Invocation of model ID %s with on-demand throughput isn't supported. Retry your request with the ID "
                  "or ARN of an inference profile that contains this model.")

# Base-ID prefix -> lifecycle as Bedrock reports it in December 2026 (status, on_demand, profiles,
# legacy_time, eol_time); EOL models are gone from the control plane.
MODELS = [
    ("anthropic.claude-sonnet-4-6", "ACTIVE", False, ("global", "us", "eu", "jp"), None, None),
    ("anthropic.claude-opus-4-6-v1", "ACTIVE", False, ("global", "us", "eu", "jp", "apac"), None, None),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", "ACTIVE", False, ("global", "us", "eu", "jp"), None, None),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", "ACTIVE", False, ("global", "us", "eu"), None, None),
    ("anthropic.claude-opus-4-1-20250805-v1:0", "LEGACY", False, ("us",), "2026-07-08T00:00:00Z",
     "2027-01-08T00:00:00Z"),
    ("anthropic.claude-3-5-sonnet", "EOL", True, (), None, "2026-07-30T00:00:00Z"),
    ("anthropic.claude-3-7-sonnet", "EOL", False, (), None, "2026-04-28T00:00:00Z"),
    ("anthropic.claude-3-5-haiku", "EOL", True, (), None, None),
    ("anthropic.claude-3-haiku", "EOL", True, (), None, "2026-09-10T00:00:00Z"),
    ("anthropic.claude-3-sonnet", "EOL", True, (), None, "2026-07-30T00:00:00Z"),
    ("anthropic.claude-sonnet-4-20250514", "EOL", False, (), None, "2026-10-14T00:00:00Z"),
    ("meta.llama3-2-", "EOL", False, (), None, "2026-07-07T00:00:00Z"),
    ("amazon.nova-2-lite-v1:0", "ACTIVE", False, ("global", "us"), None, None),
    ("amazon.nova-micro-v1:0", "ACTIVE", True, ("us", "eu", "apac"), None, None),
    ("amazon.nova-lite-v1:0", "ACTIVE", True, ("us", "eu", "apac"), None, None),
    ("amazon.nova-pro-v1:0", "ACTIVE", True, ("us", "eu", "apac"), None, None),
    ("amazon.nova-premier-v1:0", "LEGACY", False, ("us",), None, None),
    ("amazon.titan-text-express-v1", "ACTIVE", True, (), None, None),
    ("meta.llama3-1-8b-instruct-v1:0", "ACTIVE", True, ("us",), None, None),
    ("mistral.mistral-large-2402-v1:0", "ACTIVE", True, (), None, None),
]


def split_id(model_id):
    """(geography or None, base ID) of an ID, profile ID or ARN."""
    model = model_id.split("/")[-1]
    for geography in GEOGRAPHIES:
        if model.startswith(geography + "."):
            return geography, model[len(geography) + 1:]
    return None, model


def lookup(base):
    for entry in MODELS:
        if base.startswith(entry[0]):
            return entry
    return None


def lifecycle_error(model_id):
    """(status, payload, code) Bedrock answers for this ID, or None when it would serve it."""
    geography, base = split_id(model_id)
    entry = lookup(base)
    if entry is None:
        return None
    _, status, on_demand, profiles, _, _ = entry
    if status == "EOL":
        return 404, {"message": EOL_TEXT}, "ResourceNotFoundException"
    if status == "LEGACY":
        return 404, {"message": LEGACY_TEXT}, "ResourceNotFoundException"
    if geography is None and not on_demand and not model_id.startswith("arn:"):
        return 400, {"message": ON_DEMAND_TEXT % model_id}, "ValidationException"
    if geography is not None and geography not in profiles:
        return 400, {"message": "The provided model identifier is invalid."}, "ValidationException"
    return None


def foundation_model(model_id):
    entry = lookup(model_id)
    if entry is None or entry[1] == "EOL" or split_id(model_id)[0] is not None:
        return None
    _, status, on_demand, _, legacy_time, eol_time = entry
    lifecycle = {"status": status, "startOfLifeTime": "2025-01-01T00:00:00Z"}
    if legacy_time:
        lifecycle["legacyTime"] = legacy_time
    if eol_time:
        lifecycle["endOfLifeTime"] = eol_time
    return {"modelDetails": {
        "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/" + model_id, "modelId": model_id,
        "modelName": model_id, "providerName": model_id.split(".")[0], "inputModalities": ["TEXT"],
        "outputModalities": ["TEXT"], "responseStreamingSupported": True, "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"] if on_demand else ["INFERENCE_PROFILE"],
        "modelLifecycle": lifecycle}}


def inference_profile(profile_id):
    geography, base = split_id(profile_id)
    entry = lookup(base)
    if geography is None or entry is None or entry[1] == "EOL" or geography not in entry[3]:
        return None
    return {"inferenceProfileName": "%s %s" % (geography.upper(), base), "description": "stand-in",
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
            "inferenceProfileArn": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/" + profile_id,
            "models": [{"modelArn": "arn:aws:bedrock:%s::foundation-model/%s" % (region, base)}
                       for region in ("us-east-1", "us-west-2")],
            "inferenceProfileId": profile_id, "status": "ACTIVE", "type": "SYSTEM_DEFINED"}


def cached_prefix_tokens(family, body):
    """Tokens of the system prompt before a cache point (~4 characters a token), or 0."""
    system = body.get("system")
    if isinstance(system, list):
        texts = []
        for block in system:
            if "cachePoint" in block:
                return sum(len(t) for t in texts) // 4
            if "cache_control" in block:
                return (sum(len(t) for t in texts) + len(block.get("text", ""))) // 4
            texts.append(block.get("text", ""))
    return 0


def family_of(model_id):
    model = split_id(model_id)[1]
    for prefix, family in (("anthropic.", "anthropic"), ("amazon.titan-text", "titan"), ("amazon.nova", "nova"),
                           ("meta.llama", "llama"), ("mistral.", "mistral")):
        if model.startswith(prefix):
            return family
    return None


def invoke_response(family, body, reply, stop="end_turn", cache=None):
    response = plain_invoke_response(family, body, reply)
    if response is None:
        return None
    read, write = cache or (0, 0)
    if family == "anthropic":
        response["stop_reason"] = stop
        response["usage"]["cache_read_input_tokens"] = read
        response["usage"]["cache_creation_input_tokens"] = write
    elif family == "nova":
        response["stopReason"] = stop
        response["usage"]["cacheReadInputTokenCount"] = read
        response["usage"]["cacheWriteInputTokenCount"] = write
    elif stop == "max_tokens":
        if family == "titan":
            response["results"][0]["completionReason"] = "LENGTH"
        elif family == "llama":
            response["stop_reason"] = "length"
        elif family == "mistral":
            response["outputs"][0]["stop_reason"] = "length"
    return response


def plain_invoke_response(family, body, reply):
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
        self.truncate = 0
        self.cache_min_tokens = 1024
        self.cached = set()
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
                self.control_plane()

            def control_plane(self):
                """GetFoundationModel and GetInferenceProfile (the `bedrock` service, also signed `bedrock`)."""
                headers = {k: v for k, v in self.headers.items()}
                problem = standin.verify("GET", self.path, headers, b"")
                with standin.lock:
                    standin.requests.append({"path": self.path, "headers": headers, "body": "", "method": "GET",
                                             "signature_valid": problem is None, "time": time.time(),
                                             "finished": time.time()})
                if problem:
                    return self.reply(403, {"message": "The request signature we calculated does not match (%s)" % problem},
                                      "InvalidSignatureException")
                match = re.match(r"^/(foundation-models|inference-profiles)/([^/?]+)$", self.path)
                if not match:
                    return self.reply(404, {"message": "unknown path"}, "ResourceNotFoundException")
                identifier = urllib.parse.unquote(match.group(2))
                if match.group(1) == "foundation-models":
                    found = foundation_model(identifier)
                    missing = "The specified model %s was not found." % identifier
                else:
                    found = inference_profile(identifier)
                    missing = "The specified inference profile %s was not found." % identifier
                if found is None:
                    return self.reply(404, {"message": missing}, "ResourceNotFoundException")
                self.reply(200, found)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/_control":
                    command = json.loads(body or b"{}")
                    with standin.lock:
                        if "reply" in command:
                            standin.reply = command["reply"]
                        if "truncate" in command:
                            standin.truncate = int(command["truncate"])
                        if "cache_min_tokens" in command:
                            standin.cache_min_tokens = int(command["cache_min_tokens"])
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
                        standin.truncate, standin.cache_min_tokens = 0, 1024
                        standin.cached.clear()
                    return self.reply(200, {"ok": True})
                self.model_call(body)

            def model_call(self, body):
                record = {}
                try:
                    self.answer_model_call(body, record)
                finally:
                    # When the answer went out (or the client had gone): tests wait for this.
                    with standin.lock:
                        record["finished"] = time.time()

            def answer_model_call(self, body, record):
                headers = {k: v for k, v in self.headers.items()}
                problem = standin.verify("POST", self.path, headers, body)
                match = re.match(r"^/model/([^/]+)/(converse|invoke)$", self.path)
                record.update({"path": self.path, "headers": headers, "body": body.decode("utf-8", "replace"),
                               "method": "POST", "signature_valid": problem is None, "time": time.time()})
                with standin.lock:
                    standin.requests.append(record)
                    mode = None
                    if standin.mode and standin.count > 0:
                        mode = standin.mode
                        standin.count -= 1
                    reply_text = standin.reply
                    truncate = standin.truncate > 0
                    if truncate:
                        standin.truncate -= 1
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
                refused = lifecycle_error(model_id)
                if refused:
                    return self.reply(*refused)
                try:
                    document = json.loads(body)
                except ValueError:
                    return self.reply(400, {"message": "Malformed input request"}, "ValidationException")
                stop = "end_turn"
                if truncate:
                    reply_text, stop = reply_text[:len(reply_text) // 2], "max_tokens"
                family = family_of(model_id)
                # Prompt cache: a prefix before a cache point, at least cache_min_tokens long, is
                # written on first sight and read afterwards (per model; no expiry here).
                prefix = cached_prefix_tokens(family, document)
                cache = (0, 0)
                if prefix and prefix >= standin.cache_min_tokens:
                    key = (split_id(model_id)[1], json.dumps(document.get("system"), sort_keys=True))
                    with standin.lock:
                        cache = (prefix, 0) if key in standin.cached else (0, prefix)
                        standin.cached.add(key)
                if match.group(2) == "converse":
                    if not document.get("messages"):
                        return self.reply(400, {"message": "messages required"}, "ValidationException")
                    max_tokens = document.get("inferenceConfig", {}).get("maxTokens", 20)
                    return self.reply(200, {"output": {"message": {"role": "assistant", "content": [{"text": reply_text}]}},
                                            "stopReason": stop,
                                            "usage": {"inputTokens": 100, "outputTokens": max_tokens if truncate else 20,
                                                      "totalTokens": 120 + sum(cache),
                                                      "cacheReadInputTokens": cache[0],
                                                      "cacheWriteInputTokens": cache[1]},
                                            "metrics": {"latencyMs": 5}})
                response = invoke_response(family, document, reply_text, stop, cache) if family else None
                if response is None:
                    return self.reply(400, {"message": "Malformed input request for %s" % model_id}, "ValidationException")
                self.reply(200, response)

        return Handler
