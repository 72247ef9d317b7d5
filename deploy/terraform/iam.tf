# The daemon's role: least privilege. Statements are scoped to resources wherever the API supports
# resource-level permissions; each Resource "*" says why. deploy/iam/triaged-policy.json is the same
# policy as a plain IAM document (for roles made without Terraform); a test keeps the two, the README
# and the operations the code sends in agreement.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [var.compute == "ecs" ? "ecs-tasks.amazonaws.com" : "ec2.amazonaws.com"]
    }
    dynamic "condition" {
      for_each = var.compute == "ecs" ? [1] : []
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account]
      }
    }
  }
}

resource "aws_iam_role" "triaged" {
  name_prefix        = "${local.name}-triaged-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "triaged" {
  name   = "triaged"
  role   = aws_iam_role.triaged.id
  policy = data.aws_iam_policy_document.triaged.json
}

locals {
  log_group_arns = length(var.log_group_names) > 0 ? [
    for name in var.log_group_names : "arn:${local.partition}:logs:${var.region}:${local.account}:log-group:${name}:*"
  ] : ["arn:${local.partition}:logs:${var.region}:${local.account}:log-group:*"]

  model_arns = flatten([for id, is_profile in local.model_profiles : is_profile ? [
    "arn:${local.partition}:bedrock:${var.region}:${local.account}:inference-profile/${id}",
    # A cross-region profile routes to the model in any region of its geography; a global one
    # also names the model without a region.
    "arn:${local.partition}:bedrock:*::foundation-model/${join(".", slice(split(".", id), 1, length(split(".", id))))}",
    "arn:${local.partition}:bedrock:::foundation-model/${join(".", slice(split(".", id), 1, length(split(".", id))))}",
  ] : ["arn:${local.partition}:bedrock:${var.region}::foundation-model/${id}"]])
}

data "aws_iam_policy_document" "triaged" {
  statement {
    sid     = "ReadAlarmsIncludingComposites"
    actions = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
    # AWS returns composite alarms (and their history) only to a DescribeAlarms/DescribeAlarmHistory
    # permission scoped to "*"; named alarm ARNs silently hide them.
    resources = ["*"]
  }

  statement {
    sid       = "ReadTheWatchedAlarmsTags"
    actions   = ["cloudwatch:ListTagsForResource"]
    resources = [for alarm in aws_cloudwatch_metric_alarm.alb_5xx : alarm.arn]
  }

  statement {
    sid       = "ReadMetrics"
    actions   = ["cloudwatch:GetMetricData"]
    resources = ["*"] # GetMetricData has no resource-level permissions
  }

  statement {
    sid       = "ConsumeTheIntakeQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.intake.arn]
  }

  statement {
    sid       = "PublishFindings"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [local.findings_topic_arn]
  }

  statement {
    sid       = "WriteAndReadReports"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${aws_s3_bucket.reports.arn}/incidents/*"]
  }

  dynamic "statement" {
    # The team's runbooks, <prefix><alarm name>.md, read-only (the history index is under incidents/).
    for_each = var.runbooks_prefix == "" ? [] : [var.runbooks_prefix]
    content {
      sid       = "ReadRunbooks"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.reports.arn}/${statement.value}*"]
    }
  }

  statement {
    sid       = "MissingKeysAnswer404"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.reports.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = compact(["incidents/*", var.runbooks_prefix == "" ? "" : "${var.runbooks_prefix}*"])
    }
  }

  statement {
    sid       = "UseTheStackKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.triaged.arn]
  }

  statement {
    sid       = "ReadServiceLogs"
    actions   = ["logs:FilterLogEvents"]
    resources = local.log_group_arns
  }

  statement {
    sid     = "ReadTheClusterServicesAndTasks"
    actions = ["ecs:DescribeServices", "ecs:DescribeTasks"]
    resources = [
      "arn:${local.partition}:ecs:${var.region}:${local.account}:service/${var.ecs_cluster_name}/*",
      "arn:${local.partition}:ecs:${var.region}:${local.account}:task/${var.ecs_cluster_name}/*",
    ]
  }

  statement {
    sid       = "ListTheClusterServicesAndTasks"
    actions   = ["ecs:ListServices", "ecs:ListTasks"]
    resources = ["*"] # List* take the cluster as a condition, not a resource
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = ["arn:${local.partition}:ecs:${var.region}:${local.account}:cluster/${var.ecs_cluster_name}"]
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

  statement {
    sid       = "QueryTransactionSearchSpans"
    actions   = ["logs:StartQuery"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account}:log-group:aws/spans:*"]
  }

  statement {
    sid       = "ReadQueryResults"
    actions   = ["logs:GetQueryResults"]
    resources = ["*"] # GetQueryResults has no resource-level permissions
  }

  dynamic "statement" {
    for_each = var.bedrock_model_id == "" ? [] : [1]
    content {
      sid       = "AskTheConfiguredModel"
      actions   = ["bedrock:InvokeModel"]
      resources = local.model_arns
    }
  }

  # triaged check --bedrock reads the model's lifecycle and the profile's models.
  dynamic "statement" {
    for_each = var.bedrock_model_id == "" ? [] : [1]
    content {
      sid       = "ReadTheModelLifecycle"
      actions   = ["bedrock:GetFoundationModel", "bedrock:GetInferenceProfile"]
      resources = local.model_arns
    }
  }

  # Cross-account triage: the workload accounts' read roles, and nothing else.
  dynamic "statement" {
    for_each = length(var.workload_accounts) == 0 ? [] : [1]
    content {
      sid       = "AssumeTheWorkloadReadRoles"
      actions   = ["sts:AssumeRole"]
      resources = [for account in var.workload_accounts : account.role_arn]
    }
  }
}
