# A workload account's side of cross-account triage: a read-only role that trusts triaged's role
# in the central account when it sends the external id, with least privilege for the evidence
# reads (the same actions and scoping as the central role's, in this account), and optionally
# the alarm topic's policy letting the central intake queue subscribe. The module stands alone (it
# is applied with the workload account's credentials), so its read statements repeat iam.tf's; a
# test (PermissionPolicyTests) keeps its actions equal to the policy's evidence reads.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  central   = split(":", var.triaged_role_arn)[4]

  log_group_arns = length(var.log_group_names) > 0 ? [
    for name in var.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${name}:*"
  ] : ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.triaged_role_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "read" {
  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ReadAlarmsIncludingComposites"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
    resources = ["*"] # composite alarms are returned only to a permission scoped to "*"
  }

  statement {
    sid       = "ReadTheAlarmsTags"
    actions   = ["cloudwatch:ListTagsForResource"] # the runbook link
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:*"]
  }

  statement {
    sid       = "ReadMetrics"
    actions   = ["cloudwatch:GetMetricData"]
    resources = ["*"] # GetMetricData has no resource-level permissions
  }

  statement {
    sid       = "ReadServiceLogs"
    actions   = ["logs:FilterLogEvents"]
    resources = local.log_group_arns
  }

  statement {
    sid       = "QueryTransactionSearchSpans"
    actions   = ["logs:StartQuery"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:aws/spans:*"]
  }

  statement {
    sid       = "ReadQueryResults"
    actions   = ["logs:GetQueryResults"]
    resources = ["*"] # GetQueryResults has no resource-level permissions
  }

  statement {
    sid     = "ReadTheClusterServicesAndTasks"
    actions = ["ecs:DescribeServices", "ecs:DescribeTasks"]
    resources = flatten([for cluster in var.ecs_cluster_names : [
      "arn:${local.partition}:ecs:${local.region}:${local.account}:service/${cluster}/*",
      "arn:${local.partition}:ecs:${local.region}:${local.account}:task/${cluster}/*",
    ]])
  }

  statement {
    sid       = "ListTheClusterServicesAndTasks"
    actions   = ["ecs:ListServices", "ecs:ListTasks"]
    resources = ["*"] # List* take the cluster as a condition, not a resource
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [for cluster in var.ecs_cluster_names : "arn:${local.partition}:ecs:${local.region}:${local.account}:cluster/${cluster}"]
    }
  }

  statement {
    sid       = "ReadTaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition"]
    resources = ["*"] # DescribeTaskDefinition has no resource-level permissions
  }

  statement {
    sid       = "ReadLoadBalancerHealth"
    actions   = ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"]
    resources = ["*"] # ELB Describe* calls have no resource-level permissions
  }

  statement {
    sid       = "ReadTraces"
    actions   = ["xray:GetTraceSummaries", "xray:BatchGetTraces", "xray:GetServiceGraph", "xray:GetTraceSegmentDestination"]
    resources = ["*"] # X-Ray trace reads have no resource-level permissions
  }
}

resource "aws_iam_role_policy" "read" {
  name   = "triaged-read"
  role   = aws_iam_role.read.id
  policy = data.aws_iam_policy_document.read.json
}

# The alarm topic's whole policy: the account itself, CloudWatch publishing alarm state changes
# from this account, and the central account subscribing its intake queue (nothing else).
data "aws_iam_policy_document" "alarm_topic" {
  count = var.alarm_topic_arn == "" ? 0 : 1

  statement {
    sid       = "AccountOwns"
    actions   = ["sns:*"]
    resources = [var.alarm_topic_arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [var.alarm_topic_arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }

  statement {
    sid       = "CentralIntakeQueueSubscribes"
    actions   = ["sns:Subscribe"]
    resources = [var.alarm_topic_arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.central}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sns:Protocol"
      values   = ["sqs"]
    }
    condition {
      test     = "StringEquals"
      variable = "sns:Endpoint"
      values   = [var.intake_queue_arn]
    }
  }
}

resource "aws_sns_topic_policy" "alarm_topic" {
  count  = var.alarm_topic_arn == "" ? 0 : 1
  arn    = var.alarm_topic_arn
  policy = data.aws_iam_policy_document.alarm_topic[0].json

  lifecycle {
    precondition {
      condition     = var.intake_queue_arn != ""
      error_message = "alarm_topic_arn needs intake_queue_arn: the central queue allowed to subscribe."
    }
  }
}
