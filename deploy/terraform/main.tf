# triaged on AWS: the alarm and its topic, the intake queue, the findings topic, the report bucket,
# a least-privilege role and the compute that runs the daemon.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_lb" "watched" {
  name = var.alb_name
}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  name      = var.name_prefix
  tags      = merge({ "app" = "triaged", "triaged:stack" = var.name_prefix }, var.tags)

  alarm_topic_arn    = var.sns_topic_arn != null ? var.sns_topic_arn : aws_sns_topic.alarms[0].arn
  findings_topic_arn = var.existing_findings_topic_arn != null ? var.existing_findings_topic_arn : aws_sns_topic.findings[0].arn

  # The configured model and the fallback (when set). An inference profile id (us.anthropic...)
  # is called through the profile and reaches the foundation model in any region of its geography.
  model_ids = var.bedrock_model_id == "" ? [] : compact([var.bedrock_model_id, var.bedrock_fallback_model_id])
  model_profiles = {
    for id in local.model_ids : id => can(regex("^(us|eu|apac|jp|au|ca|us-gov|global)\\.", id))
  }

  config = templatefile("${path.module}/templates/config.yaml.tftpl", {
    region             = var.region
    alarm_names        = [for alarm in aws_cloudwatch_metric_alarm.alb_5xx : alarm.alarm_name]
    queue_url          = aws_sqs_queue.intake.url
    cluster            = var.ecs_cluster_name
    services           = var.ecs_service_names
    load_balancer      = data.aws_lb.watched.arn_suffix
    bedrock_enabled    = var.bedrock_model_id != ""
    model_id           = var.bedrock_model_id
    fallback_model_id  = var.bedrock_fallback_model_id
    daily_budget_usd   = var.daily_budget_usd
    runbooks_prefix    = var.runbooks_prefix
    bucket             = aws_s3_bucket.reports.bucket
    kms_key_arn        = aws_kms_key.triaged.arn
    findings_topic_arn = local.findings_topic_arn
    state_dir          = var.compute == "ecs" ? "/run/triaged/state" : "/var/lib/triaged"
    claims             = var.compute == "ecs" ? "s3" : "local"
    accounts           = var.workload_accounts
  })
}

# One customer-managed key for the topics, the queues, the bucket and the task logs: CloudWatch
# cannot publish to a topic encrypted with the AWS-managed SNS key.
resource "aws_kms_key" "triaged" {
  description             = "${local.name} triaged: alarm and findings topics, intake queues, report bucket"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = local.tags
}

resource "aws_kms_alias" "triaged" {
  name          = "alias/${local.name}-triaged"
  target_key_id = aws_kms_key.triaged.key_id
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:In a key policy, Resource "*" is this key only; write access is limited to the account root and the three services below.
  #checkov:skip=CKV_AWS_356:In a key policy, Resource "*" is this key only (a key policy cannot name its own ARN before the key exists).
  #checkov:skip=CKV_AWS_109:The account-root statement is the standard key administration grant; without it the key cannot be managed.
  # The account administers the key (the standard default statement).
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  statement {
    sid       = "ServicesUseTheKey"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "sns.amazonaws.com", "logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}
