#!/usr/bin/env python3
"""The local AWS world for tests and the demo, bound to 127.0.0.1 on free ports.

Starts, in this one process (so a test stops everything by this PID):
  * a moto server (moto[server]==5.2.1) with SigV4 signature verification switched on, an IAM user
    "triaged" holding an allow-all policy and an access key, and a role "triaged-role";
  * a credential-endpoint stand-in that serves what real AWS serves to a workload:
      - EC2 instance metadata (IMDSv2: PUT /latest/api/token first, GETs need the token, else 401),
      - the ECS container credentials endpoint (GET /ecs/credentials, Authorization token checked),
      - STS AssumeRoleWithWebIdentity (POST /, must be unsigned, token checked); every other STS
        request is passed through to moto unchanged, so signatures still verify there.
    The credentials it hands out are real temporary credentials issued by moto's sts:AssumeRole.

  * the moto extensions of extensions.py (alarm actions, DescribeAlarmHistory, X-Ray filters, ECS
    stopped-task details and service events, set through POST /_world/... on the stand-in);
  * the Bedrock Runtime stand-in of bedrock_standin.py (signature-verifying Converse/InvokeModel).

Prints one JSON line describing the world on stdout, then runs until SIGTERM/SIGINT or stdin closes.
"""
import datetime
import http.server
import json
import os
import secrets
import signal
import sys
import threading
import urllib.parse
import urllib.request

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extensions  # noqa: E402
from bedrock_standin import BedrockStandIn  # noqa: E402

REGION = "us-east-1"


def start_moto():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def bootstrap_identity(endpoint):
    """Creates the user, its key and a role before authentication is switched on."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="triaged")
    policy = iam.create_policy(PolicyName="triaged-all", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="triaged", PolicyArn=policy["Policy"]["Arn"])
    key = iam.create_access_key(UserName="triaged")["AccessKey"]
    role = iam.create_role(RoleName="triaged-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
    iam.attach_role_policy(RoleName="triaged-role", PolicyArn=policy["Policy"]["Arn"])
    # A second identity that may do everything but X-Ray, for tests of denied permissions.
    iam.create_user(UserName="triaged-noxray")
    no_xray = iam.create_policy(PolicyName="triaged-no-xray", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "xray:*", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="triaged-noxray", PolicyArn=no_xray["Policy"]["Arn"])
    restricted = iam.create_access_key(UserName="triaged-noxray")["AccessKey"]
    workload = bootstrap_workload_account(endpoint)
    # From here on moto verifies every signature (body "0": no unauthenticated actions left).
    request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request).read()
    return key["AccessKeyId"], key["SecretAccessKey"], role["Role"]["Arn"], restricted, workload


WORKLOAD_ACCOUNT = "222222222222"


def bootstrap_workload_account(endpoint):
    """A second account, as an organisation's workload account: a read role trusting the home
    account (123456789012) when the caller sends the external id, as deploy/terraform's workload
    module makes it. Created through moto's account header while authentication is still off."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.meta.events.register("before-send.iam.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", WORKLOAD_ACCOUNT))
    external_id = "triaged-" + secrets.token_hex(8)
    policy = iam.create_policy(PolicyName="triaged-read", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    role = iam.create_role(RoleName="triaged-read", MaxSessionDuration=43200, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                       "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}))
    iam.attach_role_policy(RoleName="triaged-read", PolicyArn=policy["Policy"]["Arn"])
    return {"workload_account": WORKLOAD_ACCOUNT, "workload_role_arn": role["Role"]["Arn"],
            "workload_external_id": external_id}


class CredentialStandIn(http.server.BaseHTTPRequestHandler):
    world = None  # set before serving

    def log_message(self, *args):
        pass

    def count(self, name):
        with self.world["lock"]:
            self.world["counts"][name] = self.world["counts"].get(name, 0) + 1

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def temporary_credentials(self):
        sts = boto3.client("sts", endpoint_url=self.world["moto"], region_name=REGION,
                           aws_access_key_id=self.world["key_id"], aws_secret_access_key=self.world["secret"])
        creds = sts.assume_role(RoleArn=self.world["role_arn"], RoleSessionName="standin")["Credentials"]
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        return {"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
                "Token": creds["SessionToken"], "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def imds_token_ok(self):
        return self.headers.get("X-aws-ec2-metadata-token") in self.world["imds_tokens"]

    def do_PUT(self):
        if self.path == "/latest/api/token":
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.reply(400, "bad ttl")
            token = "imds-" + secrets.token_hex(16)
            self.world["imds_tokens"].add(token)
            self.count("imds_token")
            return self.reply(200, token)
        self.reply(404, "not found")

    def do_GET(self):
        if self.path == "/_stats":
            with self.world["lock"]:
                return self.reply(200, json.dumps(self.world["counts"]), "application/json")
        if self.path.startswith("/latest/meta-data/"):
            if not self.imds_token_ok():
                self.count("imds_unauthorized")
                return self.reply(401, "")
            if self.path == "/latest/meta-data/placement/region":
                return self.reply(200, REGION)
            if self.path == "/latest/meta-data/iam/security-credentials/":
                return self.reply(200, "triaged-role")
            if self.path == "/latest/meta-data/iam/security-credentials/triaged-role":
                self.count("imds_credentials")
                document = dict(self.temporary_credentials(), Code="Success", Type="AWS-HMAC",
                                LastUpdated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
                return self.reply(200, json.dumps(document), "application/json")
            return self.reply(404, "")
        if self.path == "/ecs/credentials":
            if self.headers.get("Authorization") != self.world["ecs_token"]:
                self.count("ecs_unauthorized")
                return self.reply(401, json.dumps({"message": "bad token"}), "application/json")
            self.count("ecs_credentials")
            document = dict(self.temporary_credentials(), RoleArn=self.world["role_arn"])
            return self.reply(200, json.dumps(document), "application/json")
        self.reply(404, "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.startswith("/_world/"):
            return self.world_control(self.path, json.loads(body or b"{}"))
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
        if form.get("Action") == ["AssumeRoleWithWebIdentity"]:
            if "Authorization" in self.headers:
                return self.reply(400, "AssumeRoleWithWebIdentity must be unsigned")
            if form.get("WebIdentityToken") != [self.world["web_identity_token"]] or \
                    form.get("RoleArn") != [self.world["role_arn"]]:
                return self.reply(403, error_xml("InvalidIdentityToken", "token or role rejected"), "text/xml")
            self.count("web_identity")
            c = self.temporary_credentials()
            return self.reply(200, web_identity_xml(c, form.get("RoleSessionName", ["s"])[0]), "text/xml")
        # Everything else goes to moto as it came, headers included, so its signature check still applies.
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
        request = urllib.request.Request(self.world["moto"] + self.path, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request) as response:
                status, data, content_type = response.status, response.read(), response.headers.get("Content-Type", "text/xml")
        except urllib.error.HTTPError as error:
            status, data, content_type = error.code, error.read(), error.headers.get("Content-Type", "text/xml")
        self.reply(status, data, content_type)


def _world_control(self, path, command):
    """Sets what moto cannot: ECS stopped-task details, service events/deployments/counts, target
    health; `/_world/reset` empties every backend but IAM/STS (a clean world for the next scenario)."""
    try:
        if path == "/_world/ecs/stop-task":
            arn = extensions.world_ecs_stop_task(
                command.get("account", "123456789012"), command.get("region", REGION), command["cluster"], command["task"],
                command["stopCode"], command.get("stoppedReason", ""), command.get("stoppedAt", 0),
                command.get("containers", []))
            return self.reply(200, json.dumps({"taskArn": arn}), "application/json")
        if path == "/_world/elbv2/target-health":
            arn = extensions.world_target_health(
                command.get("account", "123456789012"), command.get("region", REGION), command["targetGroupArn"], command["targets"])
            return self.reply(200, json.dumps({"targetGroupArn": arn}), "application/json")
        if path == "/_world/ecs/service":
            arn = extensions.world_ecs_service(
                command.get("account", "123456789012"), command.get("region", REGION), command["cluster"], command["service"],
                command.get("events"), command.get("deployments"), command.get("counts"))
            return self.reply(200, json.dumps({"serviceArn": arn}), "application/json")
        if path == "/_world/s3/region-answer":
            return self.reply(200, json.dumps({"answer": extensions.world_s3_region_answer(command["answer"])}),
                              "application/json")
        if path == "/_world/reset":
            return self.reply(200, json.dumps({"reset": extensions.world_reset()}), "application/json")
    except (KeyError, ValueError) as error:
        return self.reply(400, json.dumps({"error": str(error)}), "application/json")
    self.reply(404, "unknown world control")


CredentialStandIn.world_control = _world_control


def error_xml(code, message):
    return (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f'<Code>{code}</Code><Message>{message}</Message></Error><RequestId>standin-1</RequestId></ErrorResponse>')


def web_identity_xml(c, session):
    return ('<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            '<AssumeRoleWithWebIdentityResult>'
            f'<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/triaged-role/{session}</Arn>'
            f'<AssumedRoleId>AROA:{session}</AssumedRoleId></AssumedRoleUser>'
            f'<Credentials><SessionToken>{c["Token"]}</SessionToken><SecretAccessKey>{c["SecretAccessKey"]}</SecretAccessKey>'
            f'<Expiration>{c["Expiration"]}</Expiration><AccessKeyId>{c["AccessKeyId"]}</AccessKeyId></Credentials>'
            '</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>standin-2</RequestId></ResponseMetadata>'
            '</AssumeRoleWithWebIdentityResponse>')


def main():
    extensions.apply()
    moto, moto_endpoint = start_moto()
    key_id, secret, role_arn, restricted, workload = bootstrap_identity(moto_endpoint)
    world = {"moto": moto_endpoint, "key_id": key_id, "secret": secret, "role_arn": role_arn,
             "ecs_token": "ecs-" + secrets.token_hex(12), "web_identity_token": "eyJ" + secrets.token_hex(24),
             "imds_tokens": set(), "counts": {}, "lock": threading.Lock()}
    CredentialStandIn.world = world
    standin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CredentialStandIn)
    threading.Thread(target=standin.serve_forever, daemon=True).start()
    description = {k: world[k] for k in ("moto", "key_id", "secret", "role_arn", "ecs_token", "web_identity_token")}
    description["standin"] = f"http://127.0.0.1:{standin.server_address[1]}"
    bedrock = BedrockStandIn({key_id: secret})
    bedrock.start()
    description["bedrock"] = bedrock.endpoint
    description["pid"] = os.getpid()
    description["noxray_key_id"] = restricted["AccessKeyId"]
    description["noxray_secret"] = restricted["SecretAccessKey"]
    description.update(workload)
    print(json.dumps(description), flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    bedrock.stop()
    standin.shutdown()
    moto.stop()


if __name__ == "__main__":
    main()
