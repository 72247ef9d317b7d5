"""SigV4 signing speed: triaged's signer against botocore's on the same requests, same
credentials and time, in the same run; the Authorization headers must be identical.

Timed on both sides, per request: build the request from its parameters (method, URL, header
list, body: botocore's AWSRequest, triaged's SigV4Request with the URL split into host, path and
query), build the signer for the request's service (SigV4Auth / SigV4Signer), hash the body, the
canonical request, the string to sign, derive the signing key (four HMACs: botocore caches no
key, so triaged's cache is off too), the signature and the Authorization header. botocore's clock
is replaced by a plain function returning the fixed time (not a mock, whose bookkeeping would be
timed); triaged takes the time as a parameter. Not timed: process start-up, the verification pass.

usage: python3 scripts/bench/sigv4.py TRIAGED_BENCH [--iterations N] [--runs N]
Prints a table, the median ratio over the runs, and a final line
`BENCH-RESULT sigv4 speedup_vs_botocore <ratio> >=20 met|missed`.
"""
import argparse
import datetime
import json
import subprocess
import sys
import tempfile
import statistics
import time

import botocore.auth

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EPOCH = 1_764_065_040
KEY, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None
REGION = "us-east-1"
REQUESTS = [
    {"service": "monitoring", "method": "POST", "url": "https://monitoring.us-east-1.amazonaws.com/",
     "headers": [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
     "body": "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=prodapp-alb-5xx"},
    {"service": "sqs", "method": "POST", "url": "https://sqs.us-east-1.amazonaws.com/",
     "headers": [["Content-Type", "application/x-amz-json-1.0"],
                 ["X-Amz-Target", "AmazonSQS.ReceiveMessage"]],
     "body": json.dumps({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/intake",
                         "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20})},
    {"service": "logs", "method": "POST", "url": "https://logs.us-east-1.amazonaws.com/",
     "headers": [["Content-Type", "application/x-amz-json-1.1"],
                 ["X-Amz-Target", "Logs_20140328.FilterLogEvents"]],
     "body": json.dumps({"logGroupName": "/ecs/api", "startTime": 1764063240000, "endTime": 1764065340000,
                         "filterPattern": "?ERROR ?Exception", "limit": 10000})},
    {"service": "ecs", "method": "POST", "url": "https://ecs.us-east-1.amazonaws.com/",
     "headers": [["Content-Type", "application/x-amz-json-1.1"],
                 ["X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices"]],
     "body": json.dumps({"cluster": "prodapp", "services": ["api", "web", "worker"]})},
]


def botocore_sign(request, credentials):
    aws = AWSRequest(method=request["method"], url=request["url"], data=request["body"].encode(),
                     headers={k: v for k, v in request["headers"]})
    SigV4Auth(credentials, request["service"], REGION).add_auth(aws)
    return aws.headers["Authorization"]


def botocore_rate(iterations, credentials):
    started = time.perf_counter()
    for _ in range(iterations):
        for request in REQUESTS:
            botocore_sign(request, credentials)
    return iterations * len(REQUESTS) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bench")
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    credentials = Credentials(KEY, SECRET, TOKEN)
    fixed = datetime.datetime.fromtimestamp(EPOCH, datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda: fixed
    theirs = [botocore_sign(r, credentials) for r in REQUESTS]

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"region": REGION, "accessKeyId": KEY, "secretAccessKey": SECRET, "sessionToken": TOKEN,
                   "epoch": EPOCH, "requests": REQUESTS}, f)
        path = f.name
    rows = []
    for _ in range(args.runs):
        boto = botocore_rate(args.iterations, credentials)
        ours = json.loads(subprocess.check_output([args.bench, "sigv4", path, str(args.iterations * 20)]))
        if ours["authorizations"] != theirs:
            print("sigv4: the Authorization headers differ from botocore's:", ours["authorizations"], theirs)
            print("BENCH-RESULT sigv4 speedup_vs_botocore 0 >=20 missed")
            return 1
        rows.append((boto, ours["per_second"]))
    print("timed per request, both sides: build the request (method, URL, headers, body), build the signer,")
    print("hash the body, canonical request, string to sign, derive the key (no cache), sign, Authorization header")
    print(f"{'run':<5} {'botocore ' + botocore.__version__:>18} {'triaged AWSSigning':>20} {'ratio':>8}")
    for index, (boto, ours) in enumerate(rows, 1):
        print(f"{index:<5} {boto:>16,.0f}/s {ours:>18,.0f}/s {ours / boto:>7.1f}x")
    ratio = statistics.median(ours / boto for boto, ours in rows)
    met = ratio >= 20
    print(f"median ratio {ratio:.1f}x over {len(rows)} runs (target >= 20x); {len(REQUESTS)} request shapes, "
          "identical Authorization headers; release build")
    print(f"BENCH-RESULT sigv4 speedup_vs_botocore {ratio:.1f} >=20 {'met' if met else 'missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
