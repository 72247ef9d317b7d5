"""Log lines as each runtime's usual logger writes them to stdout (what the awslogs driver ships,
one CloudWatch event per line), and the placeholders scenario specs use in their own lines.

Placeholders (anything else in braces is left alone, so JSON lines need no escaping):
  {ts_iso}      2026-12-02T18:40:01.123Z        {ts_logback}  2026-12-02 18:40:01.123
  {ts_py}       2026-12-02 18:40:01,123         {ts_ms}       1796150401123 (epoch milliseconds)
  {ts_go}       2026-12-02T18:40:01.123456Z     {ts_epoch}    1796150401.123 (zap's float seconds)
  {ts_gunicorn} 2026-12-02 18:40:01 +0000         {ts_clf}      02/Dec/2026:18:40:01 +0000 (access logs)
  {n}           repetition number               {id}          8 hex digits
  {uuid}        a UUID                          {ms}          a latency in ms (3-900)
  {num}         a number 1000-99999             {thread}      a Tomcat worker thread name
  {service} {port} {ip}                         the service's name and port; a client IP
"""
import datetime
import re
import uuid as uuid_module

RUNTIMES = {"java", "node", "python", "go", "dotnet"}
_PLACEHOLDER = re.compile(r"\{(ts_iso|ts_logback|ts_py|ts_ms|ts_go|ts_epoch|ts_gunicorn|ts_clf|n|id|uuid|ms|num|thread|service|port|ip)\}")

_PATHS = ["/health", "/v1/items/{num}", "/v2/orders/{num}", "/api/cart", "/search?q=shoes", "/v1/users/me",
          "/catalog/{num}", "/v1/quotes", "/status", "/graphql"]


def version(name, revision):
    """An image tag for a task-definition revision: the same name and revision give the same tag."""
    major = 1 + sum(map(ord, name)) % 4
    return "%d.%d.%d" % (major, revision // 5, revision % 5)


def _stamp(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


def render(line, context, rng, epoch, n=0):
    moment = _stamp(epoch)

    def value(match):
        key = match.group(1)
        if key == "ts_iso":
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
        if key == "ts_logback":
            return moment.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (moment.microsecond // 1000)
        if key == "ts_py":
            return moment.strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (moment.microsecond // 1000)
        if key == "ts_ms":
            return str(int(epoch * 1000))
        if key == "ts_go":
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if key == "ts_gunicorn":
            return moment.strftime("%Y-%m-%d %H:%M:%S +0000")
        if key == "ts_clf":
            return moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
        if key == "ts_epoch":
            return "%.3f" % epoch
        if key == "n":
            return str(n)
        if key == "id":
            return "%08x" % rng.getrandbits(32)
        if key == "uuid":
            return str(uuid_module.UUID(int=rng.getrandbits(128), version=4))
        if key == "ms":
            return str(int(rng.lognormvariate(3.0, 0.9)) + 3)
        if key == "num":
            return str(rng.randint(1000, 99999))
        if key == "thread":
            return "nio-%s-exec-%d" % (context.get("port", 8080), rng.randint(1, 10))
        if key == "ip":
            return "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(2, 250))
        return str(context.get(key, match.group(0)))
    return _PLACEHOLDER.sub(value, line)


def background(runtime, context, rng, epoch):
    """One line of a healthy service's ordinary traffic and chatter in its runtime's format."""
    path = render(rng.choice(_PATHS), context, rng, epoch)
    status = rng.choice([200] * 12 + [201, 204, 304, 404])
    service = context["service"]
    roll = rng.random()
    if runtime == "java":
        if roll < 0.08:
            line = "{ts_logback}  INFO 1 --- [   scheduling-1] c.z.h.HikariPool                         : HikariPool-1 - Pool stats (total=10, active=%d, idle=%d, waiting=0)" % (
                rng.randint(0, 4), rng.randint(6, 10))
        else:
            line = "{ts_logback}  INFO 1 --- [{thread}] o.s.web.servlet.DispatcherServlet        : Completed %d OK for GET \"%s\" in {ms}ms" % (status, path)
    elif runtime == "node":
        if roll < 0.08:
            line = '{"level":30,"time":{ts_ms},"pid":1,"hostname":"ip-{ip}","msg":"event loop lag %dms"}' % rng.randint(1, 9)
        else:
            line = ('{"level":30,"time":{ts_ms},"pid":1,"hostname":"ip-{ip}","reqId":"req-%s","req":{"method":"GET","url":"%s"},'
                    '"res":{"statusCode":%d},"responseTime":{ms},"msg":"request completed"}') % (
                rng.randint(1, 99999), path, status)
    elif runtime == "python":
        if roll < 0.08:
            line = "{ts_py} INFO [celery.beat] Scheduler: Sending due task refresh-cache (%s.tasks.refresh)" % service
        else:
            line = '{ip} - - [{ts_clf}] "GET %s HTTP/1.1" %d {num} "-" "Mozilla/5.0"' % (path, status)
    elif runtime == "go":
        if roll < 0.08:
            line = '{"level":"info","ts":{ts_epoch},"caller":"cache/refresh.go:61","msg":"cache refreshed","entries":%d}' % rng.randint(100, 5000)
        else:
            line = ('{"level":"info","ts":{ts_epoch},"caller":"httpserver/middleware.go:48","msg":"request",'
                    '"method":"GET","path":"%s","status":%d,"duration_ms":{ms}}') % (path, status)
    else:  # dotnet: the default console logger, one line each
        line = "info: Microsoft.AspNetCore.Hosting.Diagnostics[2] Request finished HTTP/1.1 GET http://%s:%s%s - %d - application/json {ms}.%dms" % (
            service, context.get("port", 8080), path, status, rng.randint(0, 9))
    return render(line, context, rng, epoch)
