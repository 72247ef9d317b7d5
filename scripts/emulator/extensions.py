"""Extensions to moto 5.2.1 that the pipeline needs and moto lacks, applied in-process before the
server starts (docs/local-aws-world.md lists the measured gaps):

* CloudWatch: a state change publishes the CloudWatch-shaped alarm notification to the alarm's SNS
  actions (moto fires no actions), and DescribeAlarmHistory answers from the recorded changes.
* CloudWatch: DescribeAlarms answers as AWS does — only metric alarms unless `AlarmTypes` is sent,
  `ChildrenOfAlarmName` (children of a composite: name, ARN, state), and log alarms (`PutLogAlarm`,
  `LogAlarms`; moto and its botocore model know neither), PutCompositeAlarm (moto stores composite
  alarms but has no such action). Composite notifications carry
  `TriggeringChildren` (the rule's children in ALARM). SetAlarmState works on log alarms.
* CloudWatch: GetMetricData answers percentile statistics (`p50`, `p99`) instead of failing.
* CloudWatch Logs: filter patterns follow the documented term syntax for unstructured events (all
  plain terms must match, at least one `?term`, no `-term`; quoted phrases) instead of one literal.
* X-Ray: GetTraceSummaries honours FilterExpression terms fault/error/throttle = true (moto answers
  500 for any filter), and reports Http status and service names from the segments.
* X-Ray: GetServiceGraph computes the service map from the segments put (moto answers none);
  Get/UpdateTraceSegmentDestination switch Transaction Search on, which writes segments as
  OpenTelemetry spans to `aws/spans` (PutLogEvents there is refused, as AWS does) and makes
  BatchGetTraces answer every id in UnprocessedTraceIds.
* CloudWatch Logs Insights: `filter` terms on @-fields and JSON-discovered fields (moto ignored
  filter), and a query is `Running` on its first GetQueryResults.
* ELBv2: `world_target_health` sets a target's health state, reason code and description (moto
  reports every registered IP target healthy).
* ECS: `world_ecs_*` helpers set what moto cannot: stopped-task details (stopCode, stoppedAt,
  container exit codes and reasons), service events and deployments.
* STS: AssumeRole decides as AWS does (moto hands out a session for any ARN): the role must exist
  in its account, its trust policy must allow the caller (`*`, the caller's account or root, or its
  ARN) with every `StringEquals` `sts:ExternalId` condition met, `DurationSeconds` must be within
  900…MaxSessionDuration and `RoleSessionName` 2…64 characters of `[\w+=,.@-]`; otherwise
  AccessDenied (403) or ValidationError. The session acts in the role's account (moto files the
  temporary key there, so signatures verify and resources are that account's).
* SNS: a message to an SQS subscription lands in the queue's account (moto uses the topic's), so
  a workload account's alarm topic can feed the central intake queue.
* S3: a request signed for another region than the bucket's is refused as AWS refuses it (moto
  serves it): 301 `PermanentRedirect` with `x-amz-bucket-region` and the `<Endpoint>` body (the
  answer of a wrong regional endpoint; the default) or, after `world_s3_region_answer(
  "AuthorizationHeaderMalformed")`, 400 `AuthorizationHeaderMalformed` with `<Region>` (the answer
  of the global endpoint or the right host). HEAD answers carry the header and no body; presigned
  URLs get 400 `AuthorizationQueryParametersError` with `<Region>`.
"""
import datetime
import json
import re

from moto.cloudwatch import models as cloudwatch_models
from moto.cloudwatch import responses as cloudwatch_responses
from moto.core.responses import ActionResult, EmptyResult
from moto.ecs.models import ecs_backends
from moto.logs import models as logs_models
from moto.elbv2 import models as elbv2_models
from moto.elbv2.models import elbv2_backends
from moto.sns.models import sns_backends
from moto.xray import models as xray_models

REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
    "eu-south-1": "EU (Milan)", "ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}


def _cloudwatch_time(moment):
    # Alarm notifications use "+0000" offsets, e.g. 2024-07-05T15:20:44.959+0000.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+0000" % (moment.microsecond // 1000)


def alarm_notification(alarm, account_id, old_state):
    """The `Message` CloudWatch publishes: metric alarms carry a Trigger, composite ones an AlarmRule."""
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description or None,
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": _cloudwatch_time(alarm.configuration_updated_timestamp),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": _cloudwatch_time(alarm.state_updated_timestamp),
        "Region": REGION_NAMES.get(alarm.region_name, alarm.region_name),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
    }
    if alarm.rule is not None:
        message["AlarmRule"] = alarm.rule
        message["TriggeringChildren"] = [
            {"Arn": child.alarm_arn, "State": {"Value": child.state_value,
                                               "Timestamp": _cloudwatch_time(child.state_updated_timestamp)}}
            for child in _rule_children(alarm) if child.state_value == "ALARM"]
    else:
        message["Trigger"] = {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "StatisticType": "ExtendedStatistic" if alarm.extended_statistic else "Statistic",
            "Statistic": (alarm.statistic or "").upper(),
            "Unit": alarm.unit,
            "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.treat_missing_data or "",
            "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or "",
        }
    return message


_RULE_CHILD = re.compile(r'(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*(?:"([^"]+)"|([^)]+?))\s*\)')

# Log alarms by (account, region) then name: moto has none.
LOG_ALARMS = {}


def rule_child_names(rule):
    """The alarm names (or ARNs, reduced to names) that a composite AlarmRule references."""
    names = []
    for quoted, bare in _RULE_CHILD.findall(rule or ""):
        name = (quoted or bare).strip()
        if name.startswith("arn:") and ":alarm:" in name:
            name = name.split(":alarm:", 1)[1]
        if name not in names:
            names.append(name)
    return names


def _rule_children(alarm):
    parts = alarm.alarm_arn.split(":")
    backend = cloudwatch_models.cloudwatch_backends[parts[4]][parts[3]]
    return [backend.alarms[name] for name in rule_child_names(alarm.rule) if name in backend.alarms]


def _xml(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _log_alarm_xml(alarm):
    q = alarm["query"]
    groups = "".join("<member>%s</member>" % _xml(g) for g in q.get("LogGroupIdentifiers", []))
    actions = "".join("<member>%s</member>" % _xml(a) for a in alarm["actions"])
    return (
        "<member><AlarmName>%s</AlarmName><AlarmArn>%s</AlarmArn><ActionsEnabled>true</ActionsEnabled>"
        "<AlarmActions>%s</AlarmActions><StateValue>%s</StateValue><StateReason>%s</StateReason>"
        "<StateUpdatedTimestamp>%s</StateUpdatedTimestamp><StateTransitionedTimestamp>%s</StateTransitionedTimestamp>"
        "<ScheduledQueryConfiguration><QueryString>%s</QueryString><LogGroupIdentifiers>%s</LogGroupIdentifiers>"
        "<ScheduledQueryRoleARN>%s</ScheduledQueryRoleARN><ScheduleConfiguration><ScheduleExpression>%s"
        "</ScheduleExpression><StartTimeOffset>%s</StartTimeOffset></ScheduleConfiguration>"
        "<AggregationExpression>%s</AggregationExpression></ScheduledQueryConfiguration>"
        "<QueryResultsToEvaluate>1</QueryResultsToEvaluate><QueryResultsToAlarm>1</QueryResultsToAlarm>"
        "<Threshold>%s</Threshold><ComparisonOperator>%s</ComparisonOperator></member>" % (
            _xml(alarm["name"]), _xml(alarm["arn"]), actions, alarm["state"], _xml(alarm["reason"]),
            alarm["updated"], alarm["updated"], _xml(q.get("QueryString", "")), groups,
            _xml(q.get("ScheduledQueryRoleARN", "")), _xml(q.get("ScheduleExpression", "rate(5 minutes)")),
            q.get("StartTimeOffset", "300"), _xml(q.get("AggregationExpression", "count(*)")),
            alarm["threshold"], _xml(alarm["operator"])))


def _patch_cloudwatch_alarm_types():
    original_describe = cloudwatch_responses.CloudWatchResponse.describe_alarms
    original_parse = cloudwatch_responses.CloudWatchResponse.parse_parameters
    original_set_state = cloudwatch_responses.CloudWatchResponse.set_alarm_state

    def parse_parameters(self, request):
        # PutLogAlarm is newer than moto's botocore model: read its query string by hand.
        if self._get_action() == "PutLogAlarm":
            self.automated_parameter_parsing = False
            return None
        return original_parse(self, request)

    def now_text():
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def put_log_alarm(self):
        qs = {k: v[0] for k, v in self.querystring.items()}
        name = qs.get("AlarmName", "")
        arn = "arn:aws:cloudwatch:%s:%s:alarm:%s" % (self.region, self.current_account, name)
        query = {"QueryString": qs.get("ScheduledQueryConfiguration.QueryString", ""),
                 "LogGroupIdentifiers": [v for k, v in sorted(qs.items())
                                         if k.startswith("ScheduledQueryConfiguration.LogGroupIdentifiers.member.")],
                 "ScheduledQueryRoleARN": qs.get("ScheduledQueryConfiguration.ScheduledQueryRoleARN", ""),
                 "ScheduleExpression": qs.get("ScheduledQueryConfiguration.ScheduleConfiguration.ScheduleExpression",
                                              "rate(5 minutes)"),
                 "StartTimeOffset": qs.get("ScheduledQueryConfiguration.ScheduleConfiguration.StartTimeOffset", "300"),
                 "AggregationExpression": qs.get("ScheduledQueryConfiguration.AggregationExpression", "count(*)")}
        LOG_ALARMS.setdefault((self.current_account, self.region), {})[name] = {
            "name": name, "arn": arn, "query": query, "state": "INSUFFICIENT_DATA", "reason": "Unchecked: Initial alarm creation",
            "updated": now_text(), "threshold": qs.get("Threshold", "0"),
            "operator": qs.get("ComparisonOperator", "GreaterThanThreshold"),
            "actions": [v for k, v in sorted(qs.items()) if k.startswith("AlarmActions.member.")]}
        return ('<PutLogAlarmResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata>'
                '<RequestId>7c9e3b1a-0000-4000-8000-00000000aa01</RequestId></ResponseMetadata></PutLogAlarmResponse>')

    def put_composite_alarm(self):
        # moto stores composite alarms (an Alarm with a rule) but has no PutCompositeAlarm action.
        self.cloudwatch_backend.put_metric_alarm(
            name=self._get_param("AlarmName"), namespace=None, metric_name=None, comparison_operator=None,
            evaluation_periods=None, period=None, threshold=None, statistic=None,
            description=self._get_param("AlarmDescription"), dimensions=[],
            alarm_actions=self._get_param("AlarmActions", []), ok_actions=self._get_param("OKActions", []),
            insufficient_data_actions=self._get_param("InsufficientDataActions", []),
            actions_enabled=self._get_param("ActionsEnabled", True) not in (False, "false"),
            rule=self._get_param("AlarmRule"))
        return EmptyResult()

    def set_alarm_state(self):
        alarms = LOG_ALARMS.get((self.current_account, self.region), {})
        name = self._get_param("AlarmName")
        if name in alarms:
            alarms[name].update(state=self._get_param("StateValue"), reason=self._get_param("StateReason") or "",
                                updated=now_text())
            return ActionResult({})
        return original_set_state(self)

    def describe_alarms(self):
        types = self._get_param("AlarmTypes") or []
        children_of = self._get_param("ChildrenOfAlarmName")
        backend = self.cloudwatch_backend
        if children_of:
            parent = backend.alarms.get(children_of)
            names = rule_child_names(parent.rule) if parent is not None and parent.rule else []
            found = [backend.alarms[n] for n in names if n in backend.alarms]
            if not self.querystring.get("Action"):
                # JSON and CBOR clients get moto's own serialisation (all fields).
                return ActionResult({"MetricAlarms": [a for a in found if a.rule is None],
                                     "CompositeAlarms": [a for a in found if a.rule is not None]})
            # Only AlarmName, AlarmArn, StateValue and StateUpdatedTimestamp are given for children.
            members = []
            for kind, alarms in (("MetricAlarms", [a for a in found if a.rule is None]),
                                 ("CompositeAlarms", [a for a in found if a.rule is not None])):
                items = "".join(
                    "<member><AlarmName>%s</AlarmName><AlarmArn>%s</AlarmArn><StateValue>%s</StateValue>"
                    "<StateUpdatedTimestamp>%s</StateUpdatedTimestamp></member>" % (
                        _xml(a.name), _xml(a.alarm_arn), a.state_value,
                        a.state_updated_timestamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                        if hasattr(a.state_updated_timestamp, "strftime") else a.state_updated_timestamp)
                    for a in alarms)
                members.append("<%s>%s</%s>" % (kind, items, kind))
            return ('<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">'
                    '<DescribeAlarmsResult>%s</DescribeAlarmsResult><ResponseMetadata><RequestId>'
                    '7c9e3b1a-0000-4000-8000-00000000aa02</RequestId></ResponseMetadata></DescribeAlarmsResponse>'
                    % "".join(members))
        result = original_describe(self)
        wanted = set(types) if types else {"MetricAlarm"}
        if "MetricAlarm" not in wanted:
            result.result["MetricAlarms"] = []
        if "CompositeAlarm" not in wanted:
            result.result["CompositeAlarms"] = []
        if not self.querystring.get("Action"):
            # The log-alarm list is written into query (XML) answers only, which is what triaged speaks.
            return result
        status, headers, body = self.serialized(result)
        if "LogAlarm" in wanted:
            names = self._get_param("AlarmNames") or []
            prefix = self._get_param("AlarmNamePrefix")
            logs = [a for a in LOG_ALARMS.get((self.current_account, self.region), {}).values()
                    if (not names or a["name"] in names) and (not prefix or a["name"].startswith(prefix))]
            body = body.decode() if isinstance(body, bytes) else body
            body = body.replace("</DescribeAlarmsResult>",
                                "<LogAlarms>%s</LogAlarms></DescribeAlarmsResult>"
                                % "".join(_log_alarm_xml(a) for a in logs), 1)
        return body

    cloudwatch_responses.CloudWatchResponse.parse_parameters = parse_parameters
    cloudwatch_responses.CloudWatchResponse.put_log_alarm = put_log_alarm
    cloudwatch_responses.CloudWatchResponse.put_composite_alarm = put_composite_alarm
    cloudwatch_responses.CloudWatchResponse.set_alarm_state = set_alarm_state
    cloudwatch_responses.CloudWatchResponse.describe_alarms = describe_alarms


def _patch_cloudwatch():
    original_update_state = cloudwatch_models.Alarm.update_state
    original_set_alarm_state = cloudwatch_models.CloudWatchBackend.set_alarm_state

    def set_alarm_state(self, alarm_name, reason, reason_data, state_value):
        alarm = self.alarms.get(alarm_name)
        old_state = alarm.state_value if alarm else None
        original_set_alarm_state(self, alarm_name, reason, reason_data, state_value)
        alarm = self.alarms[alarm_name]
        if old_state == state_value or not alarm.actions_enabled:
            return
        actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
                   "INSUFFICIENT_DATA": alarm.insufficient_data_actions}[state_value]
        message = json.dumps(alarm_notification(alarm, self.account_id, old_state))
        subject = '%s: "%s" in %s' % (state_value, alarm.name, REGION_NAMES.get(alarm.region_name, alarm.region_name))
        if len(subject) >= 100:
            subject = subject[:96] + "..."
        for arn in actions or []:
            parts = arn.split(":")
            if len(parts) >= 6 and parts[2] == "sns":
                sns_backends[parts[4]][parts[3]].publish(message=message, arn=arn, subject=subject)

    def update_state(self, reason, reason_data, state_value):
        old = (self.state_value, self.state_updated_timestamp)
        original_update_state(self, reason, reason_data, state_value)
        if not hasattr(self, "triaged_history"):
            self.triaged_history = []
        self.triaged_history.append({
            "AlarmName": self.name,
            "AlarmType": "CompositeAlarm" if self.rule is not None else "MetricAlarm",
            "Timestamp": self.state_updated_timestamp,
            "HistoryItemType": "StateUpdate",
            "HistorySummary": "Alarm updated from %s to %s" % (old[0], state_value),
            "HistoryData": json.dumps({"version": "1.0", "oldState": {"stateValue": old[0]},
                                       "newState": {"stateValue": state_value, "stateReason": reason}}),
        })

    def describe_alarm_history(self):
        name = self._get_param("AlarmName")
        item_type = self._get_param("HistoryItemType")
        items = []
        for alarm in self.cloudwatch_backend.alarms.values():
            if name and alarm.name != name:
                continue
            for item in getattr(alarm, "triaged_history", []):
                if item_type and item["HistoryItemType"] != item_type:
                    continue
                items.append(item)
        items.sort(key=lambda i: i["Timestamp"], reverse=True)
        return ActionResult({"AlarmHistoryItems": items})

    cloudwatch_models.CloudWatchBackend.set_alarm_state = set_alarm_state
    cloudwatch_models.Alarm.update_state = update_state
    cloudwatch_responses.CloudWatchResponse.describe_alarm_history = describe_alarm_history


_TERM = re.compile(r"^(fault|error|throttle)\s*=\s*true$", re.IGNORECASE)


def _matches(expression, summary):
    """fault/error/throttle = true terms joined by OR and AND (AND binds tighter); anything else
    is refused rather than silently ignored."""
    def term(text):
        text = text.strip().strip("()").strip()
        match = _TERM.match(text)
        if not match:
            raise ValueError("unsupported filter term: %r" % text)
        return summary["Has" + match.group(1).capitalize()]
    return any(all(term(t) for t in re.split(r"\s+AND\s+", part, flags=re.IGNORECASE))
               for part in re.split(r"\s+OR\s+", expression, flags=re.IGNORECASE))


def _patch_xray():
    original_summary = xray_models.SegmentCollection.summary

    def summary(self, start_time, end_time, filter_expression=None):
        result = original_summary(self, start_time, end_time, None)
        for item in result["TraceSummaries"]:
            segments = self._traces[item["Id"]]["segments"]
            # moto marks a flag when the key is present at all; X-Ray means its value.
            for flag in ("fault", "error", "throttle"):
                item["Has" + flag.capitalize()] = any(s.misc.get(flag) is True for s in segments)
            statuses = [((s.http or {}).get("response") or {}).get("status") for s in segments]
            statuses = [s for s in statuses if s]
            if statuses:
                item["Http"] = {"HttpStatus": max(statuses)}
            item["ServiceIds"] = [{"Name": n} for n in sorted({s.name for s in segments})]
        if filter_expression:
            result["TraceSummaries"] = [s for s in result["TraceSummaries"] if _matches(filter_expression, s)]
            result["TracesProcessedCount"] = len(result["TraceSummaries"])
        return result

    xray_models.SegmentCollection.summary = summary


def world_ecs_stop_task(account_id, region, cluster, task_id, stop_code, stopped_reason, stopped_at, containers):
    """Marks a task stopped with the details real ECS reports and moto does not."""
    backend = ecs_backends[account_id][region]
    cluster_name = cluster.split("/")[-1]
    for task in backend.tasks.get(cluster_name, {}).values():
        if task.task_arn.endswith(task_id) or task.id == task_id:
            task.last_status = "STOPPED"
            task.desired_status = "STOPPED"
            task.stop_code = task.stopCode = stop_code
            task.stopped_reason = stopped_reason
            moment = datetime.datetime.fromtimestamp(stopped_at, datetime.timezone.utc)
            task.stopped_at = task.stoppedAt = moment
            for container, details in zip(task.containers, containers):
                container.exitCode = details.get("exitCode")
                container.reason = details.get("reason")
                container.last_status = "STOPPED"
                if details.get("name"):
                    container.name = details["name"]
            return task.task_arn
    raise KeyError("no task %s in %s" % (task_id, cluster_name))


def world_ecs_service(account_id, region, cluster, service_name, events=None, deployments=None, counts=None):
    """Sets a service's event log, deployments and task counts (moto keeps events empty and counts
    every task pending). Deployments are returned as given, so the fields AWS adds to a deployment
    (`serviceConnectConfiguration`, `serviceConnectResources`, `failedTasks`, `rolloutStateReason`)
    come back from DescribeServices as AWS writes them."""
    backend = ecs_backends[account_id][region]
    cluster_name = cluster.split("/")[-1]
    service = backend.services["%s:%s" % (cluster_name, service_name)]
    if counts is not None:
        service.desired_count = int(counts.get("desiredCount", service.desired_count))
        service.running_count = int(counts.get("runningCount", service.running_count))
        service.pending_count = int(counts.get("pendingCount", service.pending_count))
    if events is not None:
        service.events = [
            {"id": e.get("id", "e%d" % i), "createdAt": datetime.datetime.fromtimestamp(e["createdAt"], datetime.timezone.utc),
             "message": e["message"]} for i, e in enumerate(events)]
    if deployments is not None:
        service.deployments = [
            dict(d, createdAt=datetime.datetime.fromtimestamp(d["createdAt"], datetime.timezone.utc),
                 updatedAt=datetime.datetime.fromtimestamp(d.get("updatedAt", d["createdAt"]), datetime.timezone.utc))
            for d in deployments]
    return service.arn


def world_reset(keep=("iam", "sts")):
    """Empties every service's backend but IAM and STS, so the next scenario starts in a clean
    world while the world's users, keys and signature checks stay as they are (moto's own
    /moto-api/reset would delete the users and leave nobody able to sign)."""
    from moto.core.base_backend import BackendDict
    reset = []
    LOG_ALARMS.clear()
    TRACE_DESTINATIONS.clear()
    for backend in list(BackendDict._instances):
        if backend.service_name in keep:
            continue
        for account_backend in backend.values():
            account_backend.reset()
        reset.append(backend.service_name)
    return sorted(set(reset))


def _patch_cloudwatch_percentiles():
    original = cloudwatch_models.Statistics.get_statistics_for_type

    def get_statistics_for_type(self, stat):
        match = re.match(r"^p(\d{1,2}(\.\d+)?)$", stat or "")
        if match:
            values = sorted(m.value for m in self.metric_data or [] if isinstance(m, cloudwatch_models.MetricDatum))
            if not values:
                return None
            rank = min(len(values) - 1, max(0, int(round(float(match.group(1)) / 100 * len(values) + 0.5)) - 1))
            return values[rank]
        return original(self, stat)

    cloudwatch_models.Statistics.get_statistics_for_type = get_statistics_for_type


class LogFilterPattern:
    """CloudWatch Logs filter-pattern terms for unstructured log events."""

    def __init__(self, pattern):
        import shlex
        try:
            terms = shlex.split(pattern or "")
        except ValueError:
            terms = (pattern or "").split()
        self.required = [t for t in terms if not t.startswith(("?", "-"))]
        self.optional = [t[1:] for t in terms if t.startswith("?") and len(t) > 1]
        self.excluded = [t[1:] for t in terms if t.startswith("-") and len(t) > 1]

    def matches(self, message):
        return (all(t in message for t in self.required)
                and (not self.optional or any(t in message for t in self.optional))
                and not any(t in message for t in self.excluded))


def _patch_elbv2():
    original = elbv2_models.FakeTargetGroup.health_for

    def health_for(self, target, ec2_backend):
        forced = getattr(self, "triaged_health", {}).get(target["Id"])
        if forced:
            state, reason, description = forced
            return elbv2_models.FakeHealthStatus(
                target["Id"], target.get("Port", self.port), self.health_check_port, state, reason, description)
        return original(self, target, ec2_backend)

    elbv2_models.FakeTargetGroup.health_for = health_for


def world_target_health(account_id, region, target_group_arn, targets):
    """targets: [{"id", "state", "reason", "description"}]."""
    group = elbv2_backends[account_id][region].target_groups[target_group_arn]
    if not hasattr(group, "triaged_health"):
        group.triaged_health = {}
    for target in targets:
        group.triaged_health[target["id"]] = (target["state"], target.get("reason"), target.get("description"))
    return target_group_arn


class AccessDenied(Exception):
    pass


def _patch_sts():
    from moto.iam.models import iam_backends
    from moto.sts import responses as sts_responses
    from moto.sts.exceptions import STSValidationError

    def access_denied(message):
        # AWS answers 403 (moto would say 400 for a code its STS model does not list).
        import uuid
        body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                '<Code>AccessDenied</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
                % (_xml(message), uuid.uuid4()))
        return body, {"status": 403, "Content-Type": "text/xml"}

    original = sts_responses.TokenResponse.assume_role

    def allowed(trust, caller_account, caller_arn, external_id):
        for statement in trust.get("Statement", []):
            if isinstance(statement, dict) and statement.get("Effect") == "Allow":
                actions = statement.get("Action", [])
                actions = [actions] if isinstance(actions, str) else actions
                if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
                    continue
                principals = (statement.get("Principal") or {})
                principals = principals.get("AWS", []) if isinstance(principals, dict) else principals
                principals = [principals] if isinstance(principals, str) else principals
                accepted = {"*", caller_account, "arn:aws:iam::%s:root" % caller_account, caller_arn}
                if caller_arn and ":assumed-role/" in caller_arn:
                    role_name = caller_arn.split(":assumed-role/")[1].split("/")[0]
                    accepted.add("arn:aws:iam::%s:role/%s" % (caller_account, role_name))
                if not accepted.intersection(principals):
                    continue
                equals = (statement.get("Condition") or {}).get("StringEquals", {})
                wanted = equals.get("sts:ExternalId")
                if wanted is not None and external_id not in ([wanted] if isinstance(wanted, str) else wanted):
                    continue
                return True
        return False

    def assume_role(self):
        role_arn = self._get_param("RoleArn") or ""
        session = self._get_param("RoleSessionName") or ""
        duration = self._get_int_param("DurationSeconds", 3600)
        external_id = self._get_param("ExternalId")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", session):
            raise STSValidationError(
                "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [\\w+=,.@-]*" % session)
        _, caller_arn, caller_account = self.backend.get_caller_identity(self.get_access_key(), self.region)
        match = re.fullmatch(r"arn:aws:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)", role_arn)
        denied = "User: %s is not authorized to perform: sts:AssumeRole on resource: %s" % (caller_arn, role_arn)
        if not match:
            return access_denied(denied)
        role = next((r for r in iam_backends[match.group(1)]["aws"].roles.values() if r.arn == role_arn), None)
        if role is None:
            return access_denied(denied)
        if not allowed(json.loads(role.assume_role_policy_document), caller_account, caller_arn, external_id):
            return access_denied(denied)
        maximum = int(getattr(role, "max_session_duration", 3600) or 3600)
        if not 900 <= duration <= maximum:
            raise STSValidationError(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                if duration > maximum else
                "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: "
                "Member must have value greater than or equal to 900" % duration)
        return original(self)

    sts_responses.TokenResponse.assume_role = assume_role


def _patch_sns_cross_account():
    from moto.sns import models as sns_models
    import threading
    lock = threading.Lock()
    original = sns_models.Subscription.publish

    def publish(self, *args, **kwargs):
        if self.protocol != "sqs":
            return original(self, *args, **kwargs)
        with lock:
            owner = self.account_id
            self.account_id = self.endpoint.split(":")[4]
            try:
                return original(self, *args, **kwargs)
            finally:
                self.account_id = owner

    sns_models.Subscription.publish = publish


# How S3 answers a request signed for the wrong region: "PermanentRedirect" (301, as a wrong
# regional endpoint answers) or "AuthorizationHeaderMalformed" (400, as the global endpoint does).
S3_REGION_ANSWER = {"code": "PermanentRedirect"}
_S3_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([^/,]+)/s3/aws4_request")


def world_s3_region_answer(code):
    if code not in ("PermanentRedirect", "AuthorizationHeaderMalformed"):
        raise ValueError("answer must be PermanentRedirect or AuthorizationHeaderMalformed")
    S3_REGION_ANSWER["code"] = code
    return code


def _s3_signed_region(request):
    """The region of the request's credential scope and whether it is presigned, or (None, False)."""
    match = _S3_SCOPE.search(request.headers.get("Authorization", ""))
    if match:
        return match.group(1), False
    args = getattr(request, "args", None) or {}
    credential = args.get("X-Amz-Credential", "")
    parts = credential.split("/")
    if len(parts) == 5 and parts[3] == "s3":
        return parts[2], True
    return None, False


def _s3_wrong_region(response, request, full_url, headers):
    """AWS's answer when `request` is signed for another region than its bucket's, else None."""
    import uuid
    response.setup_class(request, full_url, headers)
    bucket_name = response.parse_bucket_name_from_url(request, full_url)
    signed, presigned = _s3_signed_region(request)
    if not bucket_name or signed is None:
        return None
    try:
        bucket = response.backend.get_bucket(bucket_name)
    except Exception:  # no such bucket: moto's own answer
        return None
    if bucket.region_name == signed:
        return None
    request_id = uuid.uuid4().hex[:16].upper()
    tail = "<RequestId>%s</RequestId><HostId>%s</HostId></Error>" % (request_id, uuid.uuid4().hex)
    answer = S3_REGION_ANSWER["code"]
    if presigned:
        status, body = 400, ("<Error><Code>AuthorizationQueryParametersError</Code><Message>Error parsing the "
                             "X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'</Message>"
                             "<Region>%s</Region>" % (signed, bucket.region_name, bucket.region_name))
    elif answer == "PermanentRedirect":
        status, body = 301, ("<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to "
                             "access must be addressed using the specified endpoint. Please send all future "
                             "requests to this endpoint.</Message><Endpoint>%s.s3.%s.amazonaws.com</Endpoint>"
                             "<Bucket>%s</Bucket>" % (bucket_name, bucket.region_name, _xml(bucket_name)))
    else:
        status, body = 400, ("<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header "
                             "is malformed; the region '%s' is wrong; expecting '%s'</Message><Region>%s</Region>"
                             % (signed, bucket.region_name, bucket.region_name))
    reply = {"x-amz-bucket-region": bucket.region_name, "x-amz-request-id": request_id}
    if request.method == "HEAD":
        return status, reply, b""
    reply["content-type"] = "application/xml"
    return status, reply, (body + tail).encode()


def _patch_s3_regions():
    from moto.s3.responses import S3Response

    def guarded(original):
        def handler(self, request, full_url, headers):
            answer = _s3_wrong_region(self, request, full_url, headers)
            return answer if answer is not None else original(self, request, full_url, headers)
        return handler

    S3Response.bucket_response = guarded(S3Response.bucket_response)
    S3Response.key_response = guarded(S3Response.key_response)


def apply():
    _patch_s3_regions()
    _patch_sts()
    _patch_sns_cross_account()
    logs_models.EventMessageFilter = LogFilterPattern
    _patch_cloudwatch_percentiles()
    _patch_cloudwatch()
    _patch_cloudwatch_alarm_types()
    _patch_xray()
    _patch_xray_transaction_search()
    _patch_logs_insights()
    _patch_elbv2()


# ---------------------------------------------------------------------------------------------
# X-Ray service map, Transaction Search and Logs Insights on `aws/spans` (moto answers an empty
# service map, has no segment destination, and its Insights ignores `filter`).

# Where segments go, by (account, region): "XRay" (the default) or "CloudWatchLogs" (Transaction
# Search: segments become OpenTelemetry spans in `aws/spans`, BatchGetTraces finds none of them).
TRACE_DESTINATIONS = {}
SPANS_GROUP = "aws/spans"


def _xray_destination(account_id, region):
    return TRACE_DESTINATIONS.get((account_id, region), "XRay")


def _segment_failure(document):
    """fault (5xx), error (4xx; throttle when 429 or `throttle`) or ok, as X-Ray counts a call."""
    status = ((document.get("http") or {}).get("response") or {}).get("status")
    if document.get("fault") is True or (isinstance(status, int) and status >= 500):
        return "fault"
    if document.get("throttle") is True or status == 429:
        return "throttle"
    if document.get("error") is True or (isinstance(status, int) and 400 <= status < 500):
        return "error"
    return "ok"


def _remote_calls(document):
    """Subsegments (at any depth) that call out: namespace `remote` or `aws`."""
    found = []
    for sub in document.get("subsegments") or []:
        if sub.get("namespace") in ("remote", "aws"):
            found.append(sub)
        found.extend(_remote_calls(sub))
    return found


def _callee_type(sub):
    if sub.get("namespace") == "aws":
        # X-Ray types AWS calls by their resource, e.g. AWS::DynamoDB::Table.
        return "AWS::%s::Table" % sub.get("name") if sub.get("name") == "DynamoDB" else "AWS::%s" % sub.get("name")
    return "remote"


def service_graph(documents, start, end):
    """The service map X-Ray computes from segment documents in [start, end]: a service per segment
    name (typed by `origin`), an edge per caller → callee with ok/error/throttle/fault counts. A
    remote subsegment answered by a segment of another service (its `parent_id`) is an edge to that
    service; other remote/aws subsegments are edges to a `remote`/`AWS::…` node of their name. No
    `client` node is added in front of root services."""
    docs = [d for d in documents if start <= float(d.get("start_time", 0)) <= end]
    by_sub_id = {}
    for d in docs:
        for sub in _remote_calls(d):
            by_sub_id[(d.get("trace_id"), sub.get("id"))] = (d, sub)
    nodes, edges = {}, {}

    def node(name, kind, root=False):
        if name not in nodes:
            nodes[name] = {"ReferenceId": len(nodes), "Name": name, "Names": [name], "Type": kind, "Root": root,
                           "State": "active" if kind not in ("remote",) else "unknown", "Edges": []}
        nodes[name]["Root"] = nodes[name]["Root"] or root
        return nodes[name]

    def count(caller, callee, call):
        stats = edges.setdefault((caller, callee), {"ok": 0, "error": 0, "throttle": 0, "fault": 0, "time": 0.0})
        stats[_segment_failure(call)] += 1
        stats["time"] += max(0.0, float(call.get("end_time", call.get("start_time", 0))) - float(call.get("start_time", 0)))

    answered = set()
    for d in docs:
        node(d.get("name", "?"), d.get("origin") or "AWS::ECS::Container", root=not d.get("parent_id"))
        parent = by_sub_id.get((d.get("trace_id"), d.get("parent_id")))
        if parent:
            caller, sub = parent
            answered.add((d.get("trace_id"), sub.get("id")))
            count(caller.get("name", "?"), d.get("name", "?"), d)
    for d in docs:
        for sub in _remote_calls(d):
            if (d.get("trace_id"), sub.get("id")) in answered:
                continue
            node(sub.get("name", "?"), _callee_type(sub))
            count(d.get("name", "?"), sub.get("name", "?"), sub)
    for (caller, callee), s in edges.items():
        errors = s["error"] + s["throttle"]
        total = s["ok"] + errors + s["fault"]
        nodes[caller]["Edges"].append({
            "ReferenceId": nodes[callee]["ReferenceId"], "StartTime": start, "EndTime": end,
            "SummaryStatistics": {
                "OkCount": s["ok"], "ErrorStatistics": {"ThrottleCount": s["throttle"], "OtherCount": s["error"],
                                                        "TotalCount": errors},
                "FaultStatistics": {"OtherCount": s["fault"], "TotalCount": s["fault"]}, "TotalCount": total,
                "TotalResponseTime": round(s["time"], 6)},
            "Aliases": []})
    return sorted(nodes.values(), key=lambda n: n["ReferenceId"])


def segment_to_spans(document):
    """The OpenTelemetry-shaped spans Transaction Search writes to `aws/spans` for one X-Ray segment:
    a SERVER span for the segment and a CLIENT span per remote/aws subsegment, W3C trace id,
    `status.code` "ERROR" on faults (and on client calls answered 4xx), HTTP status and exception
    events in the semantic-convention attribute names."""
    trace_id = document.get("trace_id", "").replace("1-", "", 1).replace("-", "")
    service = document.get("name", "?")
    operation = " ".join(p for p in [((document.get("http") or {}).get("request") or {}).get("method"),
                                     (document.get("aws") or {}).get("operation")] if p) or None

    def span(part, kind, parent, attributes):
        failure = _segment_failure(part)
        status = ((part.get("http") or {}).get("response") or {}).get("status")
        if status is not None:
            attributes["http.response.status_code"] = status
        events = [{"name": "exception", "timeUnixNano": int(float(part.get("end_time", 0)) * 1e9),
                   "attributes": {"exception.type": e.get("type") or "Error", "exception.message": e.get("message", "")}}
                  for e in ((part.get("cause") or {}).get("exceptions") or [])]
        start = float(part.get("start_time", 0))
        error = failure == "fault" or (kind == "CLIENT" and failure != "ok")
        return {"resource": {"attributes": {"service.name": service, "cloud.provider": "aws"}},
                "scope": {"name": "xray"}, "traceId": trace_id, "spanId": part.get("id"), "parentSpanId": parent,
                "name": part.get("name"), "kind": kind, "startTimeUnixNano": int(start * 1e9),
                "endTimeUnixNano": int(float(part.get("end_time", start)) * 1e9),
                "durationNano": int((float(part.get("end_time", start)) - start) * 1e9),
                "attributes": attributes, "events": events,
                "status": {"code": "ERROR" if error else "UNSET"}}

    local = {"aws.local.service": service, "aws.span.kind": "LOCAL_ROOT"}
    if operation:
        local["aws.local.operation"] = operation
    spans = [span(document, "SERVER", document.get("parent_id"), local)]
    for sub in _remote_calls(document):
        attributes = {"aws.local.service": service, "aws.remote.service": sub.get("name")}
        if operation:
            attributes["aws.local.operation"] = operation
        if (sub.get("aws") or {}).get("operation"):
            attributes["aws.remote.operation"] = sub["aws"]["operation"]
        if sub.get("throttle") is True:
            attributes["http.response.status_code"] = 429
        spans.append(span(sub, "CLIENT", document.get("id"), attributes))
    return spans


def _patch_xray_transaction_search():
    from moto.logs.models import logs_backends
    from moto.xray import responses as xray_responses
    from moto.xray import urls as xray_urls

    xray_urls.url_paths["{0}/GetTraceSegmentDestination$"] = xray_responses.XRayResponse.dispatch
    xray_urls.url_paths["{0}/UpdateTraceSegmentDestination$"] = xray_responses.XRayResponse.dispatch
    response = xray_responses.XRayResponse
    original_segments = response.trace_segments
    original_traces = response.traces

    def get_trace_segment_destination(self):
        return json.dumps({"Destination": _xray_destination(self.current_account, self.region), "Status": "ACTIVE"})

    def update_trace_segment_destination(self):
        destination = self._get_param("Destination")
        if destination not in ("XRay", "CloudWatchLogs"):
            return self._error("InvalidRequestException", "Destination must be XRay or CloudWatchLogs")
        TRACE_DESTINATIONS[(self.current_account, self.region)] = destination
        return json.dumps({"Destination": destination, "Status": "ACTIVE"})

    def service_graph_response(self):
        start, end = self._get_param("StartTime"), self._get_param("EndTime")
        if start is None or end is None:
            return self._error("MissingParameter", "Parameters StartTime and EndTime are required")
        collection = self.xray_backend._segment_collection
        documents = [json.loads(s.raw) if isinstance(s.raw, str) else s.raw
                     for trace in list(collection._traces.values()) for s in trace["segments"]]
        return json.dumps({"StartTime": start, "EndTime": end, "ContainsOldGroupVersions": False,
                           "Services": service_graph(documents, float(start), float(end))})

    def trace_segments(self):
        # With Transaction Search on, segments are converted to spans in aws/spans (the service map
        # and the 100 % indexed summaries are still built from them).
        if _xray_destination(self.current_account, self.region) == "CloudWatchLogs":
            backend = logs_backends[self.current_account][self.region]
            if SPANS_GROUP not in backend.groups:
                backend.create_log_group(SPANS_GROUP, {})
            group = backend.groups[SPANS_GROUP]
            if "spans" not in group.streams:
                group.create_log_stream("spans")
            events = []
            for text in self._get_param("TraceSegmentDocuments") or []:
                try:
                    document = json.loads(text)
                except ValueError:
                    continue
                for span in segment_to_spans(document):
                    events.append({"timestamp": span["startTimeUnixNano"] // 1_000_000, "message": json.dumps(span)})
            if events:
                group.streams["spans"].put_log_events(sorted(events, key=lambda e: e["timestamp"]))
        return original_segments(self)

    def traces(self):
        # BatchGetTraces "cannot find traces … if Transaction Search is enabled" (API model).
        if _xray_destination(self.current_account, self.region) == "CloudWatchLogs":
            ids = self._get_param("TraceIds")
            if ids is not None:
                return json.dumps({"Traces": [], "UnprocessedTraceIds": list(ids)})
        return original_traces(self)

    original_setup = response.setup_class

    def setup_class(self, request, full_url, headers, use_raw_body=False):
        original_setup(self, request, full_url, headers, use_raw_body)
        # moto fills the parameters of a body-less request from its headers and then checks the
        # signature over those as if they were the body; botocore sends GetTraceSegmentDestination
        # with no body at all.
        if not self.raw_body:
            self.data = {}

    response.setup_class = setup_class
    response.get_trace_segment_destination = get_trace_segment_destination
    response.update_trace_segment_destination = update_trace_segment_destination
    response.service_graph = service_graph_response
    response.trace_segments = trace_segments
    response.traces = traces

    original_put = logs_models.LogsBackend.put_log_events

    def put_log_events(self, log_group_name, log_stream_name, log_events):
        if log_group_name == SPANS_GROUP:
            from moto.logs.exceptions import InvalidParameterException
            raise InvalidParameterException("PutLogEvents cannot write to the aws/spans log group")
        return original_put(self, log_group_name, log_stream_name, log_events)

    logs_models.LogsBackend.put_log_events = put_log_events


class InsightsQuery:
    """Enough Logs Insights QL to answer a query honestly: `fields` (@-fields and fields discovered
    in JSON events, nested members addressed with dots), `filter` with `=`, `!=`, `<`, `<=`, `>`,
    `>=` and `like /regex/` terms joined by `and`/`or` (`and` binds tighter), `sort <field> asc|desc`
    and `limit`. Any other command or term is refused, not ignored."""

    _TERM = re.compile(r"^\s*([@\w.]+)\s*(=|!=|<=|>=|<|>|like)\s*(\"[^\"]*\"|'[^']*'|/.*/|-?\d+(?:\.\d+)?)\s*$",
                       re.IGNORECASE)

    def __init__(self, text):
        self.fields, self.filters, self.sort, self.limit = [], [], None, None
        for command in [c.strip() for c in text.split("|") if c.strip()]:
            word, _, rest = command.partition(" ")
            word = word.lower()
            if word == "fields":
                self.fields += [f.strip() for f in rest.split(",") if f.strip()]
            elif word == "filter":
                self.filters.append(self._parse_filter(rest))
            elif word == "sort":
                parts = rest.split()
                self.sort = (parts[0], (parts[1].lower() if len(parts) > 1 else "desc"))
            elif word == "limit":
                self.limit = int(rest.strip())
            else:
                raise ValueError("unsupported Logs Insights command: %r" % command)

    def _parse_filter(self, text):
        alternatives = []
        for part in re.split(r"\s+or\s+", text.strip(), flags=re.IGNORECASE):
            terms = []
            for term in re.split(r"\s+and\s+", part, flags=re.IGNORECASE):
                match = self._TERM.match(term.strip().strip("()"))
                if not match:
                    raise ValueError("unsupported filter term: %r" % term)
                field, op, value = match.groups()
                if value[0] in "\"'":
                    value = value[1:-1]
                elif value.startswith("/"):
                    value = re.compile(value[1:-1])
                else:
                    value = float(value)
                terms.append((field, op.lower(), value))
            alternatives.append(terms)
        return alternatives

    @staticmethod
    def record(event, stream, group):
        values = {"@timestamp": event.timestamp, "@message": event.message, "@logStream": stream, "@log": group,
                  "@ptr": event.event_id}
        try:
            document = json.loads(event.message)
        except ValueError:
            document = None

        def flatten(prefix, value):
            if isinstance(value, dict):
                for key, inner in value.items():
                    flatten(prefix + "." + key if prefix else key, inner)
            else:
                values.setdefault(prefix, value)
        if isinstance(document, dict):
            flatten("", document)
        return values

    @staticmethod
    def _holds(values, field, op, expected):
        actual = values.get(field)
        if actual is None:
            return False
        if op == "like":
            return bool(expected.search(str(actual))) if hasattr(expected, "search") else str(expected) in str(actual)
        if isinstance(expected, float):
            try:
                actual = float(actual)
            except (TypeError, ValueError):
                return False
        else:
            actual = str(actual).lower() if isinstance(actual, bool) else str(actual)
        return {"=": actual == expected, "!=": actual != expected, "<": actual < expected,
                "<=": actual <= expected, ">": actual > expected, ">=": actual >= expected}[op]

    def matches(self, values):
        return all(any(all(self._holds(values, *term) for term in terms) for terms in alternatives)
                   for alternatives in self.filters)

    def run(self, log_groups, start_time, end_time):
        records = []
        for group in log_groups:
            for stream in group.streams.values():
                for event in stream.events:
                    if start_time and event.timestamp < start_time * 1000:
                        continue
                    if end_time and event.timestamp > end_time * 1000:
                        continue
                    values = self.record(event, stream.log_stream_name, group.name)
                    if self.matches(values):
                        records.append(values)
        key, order = self.sort or ("@timestamp", "desc")
        records.sort(key=lambda v: (v.get(key) is None, v.get(key) if isinstance(v.get(key), (int, float)) else str(v.get(key))),
                     reverse=order == "desc")
        if self.limit:
            records = records[:self.limit]
        fields = self.fields or ["@timestamp", "@message"]
        rows = []
        for values in records:
            row = {"@ptr": values["@ptr"]}
            for field in fields:
                if field in values:
                    value = values[field]
                    if field == "@timestamp":
                        value = datetime.datetime.fromtimestamp(value / 1000, datetime.timezone.utc).strftime(
                            "%Y-%m-%d %H:%M:%S.") + "%03d" % (value % 1000)
                    elif isinstance(value, bool):
                        value = str(value).lower()
                    row[field] = value
            rows.append(row)
        return rows


def _patch_logs_insights():
    """StartQuery runs InsightsQuery (a malformed query answers MalformedQueryException as AWS does);
    the first GetQueryResults of a query answers `Running` with no rows, as a real query that has
    just started does, so clients must poll."""
    from moto.logs import responses as logs_responses
    from moto.logs.exceptions import LogsClientError

    class MalformedQueryException(LogsClientError):
        def __init__(self, message):
            super().__init__("MalformedQueryException", message)

    def execute_query(log_groups, query, start_time, end_time):
        try:
            parsed = InsightsQuery(query)
        except ValueError as error:
            raise MalformedQueryException(str(error))
        return parsed.run(log_groups, start_time, end_time)

    logs_models.execute_query = execute_query
    original_results = logs_responses.LogsResponse.get_query_results

    def get_query_results(self):
        query_id = self._get_param("queryId")
        query = self.logs_backend.queries.get(query_id)
        if query is not None and not getattr(query, "triaged_polled", False):
            query.triaged_polled = True
            return json.dumps({"results": [], "status": "Running"})
        return original_results(self)

    logs_responses.LogsResponse.get_query_results = get_query_results
