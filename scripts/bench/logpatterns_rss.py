#!/usr/bin/env python3
"""Peak RSS and wall time of `triaged patterns --assignments` alone on the harness's N-line
concatenation. The harness's own child-RSS figure includes the image of the forked harness (which
holds the whole corpus in memory), so this spawns the command from a process that does not."""
import json
import os
import subprocess
import sys
import tempfile
import time

harness, data, n, binary = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, os.path.dirname(harness))
import eval_drain3 as h  # noqa: E402

corpus = []
for ds in h.DATASETS:
    corpus.extend(h.extract_contents(h.read_raw(data, ds), h.SETTINGS[ds]["fmt"])[0])
lines = (corpus * -(-n // len(corpus)))[:n]
with tempfile.NamedTemporaryFile("w", delete=False, suffix=".log", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
    path = f.name
del corpus, lines
# Re-exec a slim process so the measured child is forked from something small.
code = (
    "import os,sys,time,json\n"
    "fd=os.open(sys.argv[1],os.O_RDONLY); out=os.open(os.devnull,os.O_WRONLY)\n"
    "t=time.perf_counter(); pid=os.fork()\n"
    "if pid==0:\n os.dup2(fd,0); os.dup2(out,1); os.execv(sys.argv[2],[sys.argv[2],'patterns','--assignments'])\n"
    "_,status,ru=os.wait4(pid,0); dt=time.perf_counter()-t\n"
    "print(json.dumps(dict(lines=int(sys.argv[3]),seconds=dt,lines_per_s=int(sys.argv[3])/dt,peak_rss_kib=ru.ru_maxrss,exit=status)))\n"
)
result = subprocess.run([sys.executable, "-c", code, path, binary, str(n)], stdout=subprocess.PIPE, check=True)
os.unlink(path)
print(result.stdout.decode().strip())
