"""The local AWS world (aws_world.py) as a child process with one scenario (scenario.py) built in
it: what the demo, the soak and the daemon benchmark all start. Bound to 127.0.0.1; `stop()` ends
it by its PID.
"""
import json
import os
import subprocess
import sys
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))


class LocalWorld:
    def __init__(self, scratch, scenario="bad-deployment"):
        """Starts the world, logging to `scratch`/world.log, and builds `scenario` in it."""
        self.log = os.path.join(scratch, "world.log")
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "aws_world.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=open(self.log, "w"), text=True)
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"the local AWS world did not start; see {self.log}")
        self.description = json.loads(line)
        path = os.path.join(scratch, "world.json")
        with open(path, "w") as f:
            json.dump(self.description, f)
        self.scenario = json.loads(subprocess.check_output(
            [sys.executable, os.path.join(HERE, "scenario.py"), path, "--scenario", scenario], text=True))

    @property
    def environment(self):
        """Credentials of the world's IAM user, and no instance metadata lookups."""
        return {"AWS_ACCESS_KEY_ID": self.description["key_id"],
                "AWS_SECRET_ACCESS_KEY": self.description["secret"], "AWS_EC2_METADATA_DISABLED": "true"}

    def client(self, service):
        return boto3.client(service, region_name=self.scenario["region"], endpoint_url=self.description["moto"],
                            aws_access_key_id=self.description["key_id"],
                            aws_secret_access_key=self.description["secret"])

    def bedrock(self, command):
        """Sends a control command to the Bedrock stand-in."""
        request = urllib.request.Request(self.description["bedrock"] + "/_control", method="POST",
                                         data=json.dumps(command).encode())
        urllib.request.urlopen(request).read()

    def bedrock_requests(self):
        return json.loads(urllib.request.urlopen(self.description["bedrock"] + "/_requests").read())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
