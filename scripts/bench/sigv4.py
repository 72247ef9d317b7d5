"""SigV4 signing speed: triaged's signer against botocore's on the same requests, same
credentials and time, in the same run. Both sign with header authentication (payload hash,
canonical request, string to sign, derived key, HMAC); the signatures must be identical.

usage: python3 scripts/bench/sigv4.py TRIAGED_BENCH [--iterations N]
"""
import argparse
import datetime
import json
import subprocess
import sys
import tempfile
import time
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EPOCH = 1_764_065_040
KEY, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None
REGION = "us-east-1"
REQUESTS = [
    {"service": "monitoring", "method": "POST", "path": "/", "query": "",
     "headers": [["Host", "monitoring.us-east-1.amazonaws.com"],
                 ["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
     "body": "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=prodapp-alb-5xx"},
    {"service": "sqs", "method": "POST", "path": "/", "query": "",
     "headers": [["Host", "sqs.us-east-1.amazonaws.com"], ["Content-Type", "application/x-amz-json-1.0"],
                 ["X-Amz-Target", "AmazonSQS.ReceiveMessage"]],
     "body": json.dumps({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/intake",
                         "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20})},
    {"service": "logs", "method": "POST", "path": "/", "query": "",
     "headers": [["Host", "logs.us-east-1.amazonaws.com"], ["Content-Type", "application/x-amz-json-1.1"],
                 ["X-Amz-Target", "Logs_20140328.FilterLogEvents"]],
     "body": json.dumps({"logGroupName": "/ecs/api", "startTime": 1764063240000, "endTime": 1764065340000,
                         "filterPattern": "?ERROR ?Exception", "limit": 10000})},
    {"service": "ecs", "method": "POST", "path": "/", "query": "",
     "headers": [["Host", "ecs.us-east-1.amazonaws.com"], ["Content-Type", "application/x-amz-json-1.1"],
                 ["X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices"]],
     "body": json.dumps({"cluster": "prodapp", "services": ["api", "web", "worker"]})},
]


def botocore_sign(request, credentials):
    aws = AWSRequest(method=request["method"], url="https://%s%s" % (request["headers"][0][1], request["path"]),
                     data=request["body"].encode(), headers={k: v for k, v in request["headers"][1:]})
    SigV4Auth(credentials, request["service"], REGION).add_auth(aws)
    return aws.headers["Authorization"].rsplit("Signature=", 1)[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bench")
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args()
    credentials = Credentials(KEY, SECRET, TOKEN)
    fixed = datetime.datetime.fromtimestamp(EPOCH, datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
        theirs = [botocore_sign(r, credentials) for r in REQUESTS]
        started = time.perf_counter()
        for _ in range(args.iterations):
            for request in REQUESTS:
                botocore_sign(request, credentials)
        botocore_seconds = time.perf_counter() - started
    botocore_rate = args.iterations * len(REQUESTS) / botocore_seconds

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"region": REGION, "accessKeyId": KEY, "secretAccessKey": SECRET, "sessionToken": TOKEN,
                   "epoch": EPOCH, "requests": REQUESTS}, f)
        path = f.name
    ours = json.loads(subprocess.check_output([args.bench, "sigv4", path, str(args.iterations * 20)]))
    if ours["signatures"] != theirs:
        print("sigv4: the signatures differ from botocore's:", ours["signatures"], theirs)
        return 1
    ratio = ours["per_second"] / botocore_rate
    print(f"{'signer':<24} {'signatures/s':>14}")
    print(f"{'botocore ' + __import__('botocore').__version__:<24} {botocore_rate:>14,.0f}")
    print(f"{'triaged AWSSigning':<24} {ours['per_second']:>14,.0f}")
    print(f"ratio {ratio:.1f}x (target >= 20x); {len(REQUESTS)} request shapes, identical signatures")
    return 0 if ratio >= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
