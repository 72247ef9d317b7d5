# Alarm topic -> intake queue (with a dead-letter queue), and the findings topic reports go to.

resource "aws_sns_topic" "alarms" {
  count             = var.sns_topic_arn == null ? 1 : 0
  name              = "${local.name}-alarms"
  kms_master_key_id = aws_kms_key.triaged.arn
  tags              = local.tags
}

resource "aws_sns_topic_policy" "alarms" {
  count  = var.sns_topic_arn == null ? 1 : 0
  arn    = aws_sns_topic.alarms[0].arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccountPublish"
    actions   = ["sns:Publish"]
    resources = ["arn:${local.partition}:sns:${var.region}:${local.account}:${local.name}-alarms"]
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
}

resource "aws_sns_topic" "findings" {
  count             = var.existing_findings_topic_arn == null ? 1 : 0
  name              = "${local.name}-findings"
  kms_master_key_id = aws_kms_key.triaged.arn
  tags              = local.tags
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${local.name}-triaged-intake-dlq"
  message_retention_seconds = 1209600 # 14 days to look at what could not be used
  kms_master_key_id         = aws_kms_key.triaged.arn
  tags                      = local.tags
}

resource "aws_sqs_queue" "intake" {
  name                       = "${local.name}-triaged-intake"
  visibility_timeout_seconds = 330 # above the 300 s triaged holds a message between heartbeats
  message_retention_seconds  = 345600
  receive_wait_time_seconds  = 20
  kms_master_key_id          = aws_kms_key.triaged.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = 5
  })
  tags = local.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.intake.arn]
  })
}

# Only the alarm topic may send to the intake queue, and only over TLS.
resource "aws_sqs_queue_policy" "intake" {
  queue_url = aws_sqs_queue.intake.id
  policy    = data.aws_iam_policy_document.intake_queue.json
}

data "aws_iam_policy_document" "intake_queue" {
  statement {
    sid       = "AlarmTopicOnly"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.intake.arn]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values = concat([local.alarm_topic_arn], [
        for account in var.workload_accounts : account.alarm_topic_arn if account.alarm_topic_arn != ""
      ])
    }
  }

  statement {
    sid       = "TLSOnly"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.intake.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_subscription" "intake" {
  topic_arn = local.alarm_topic_arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.intake.arn
  # triaged reads the SNS envelope (it carries the notification's message id and timestamp).
  raw_message_delivery = false
}

# The workload accounts' alarm topics feed the same intake queue (their topic policy, made by
# modules/workload-account, lets this account subscribe).
resource "aws_sns_topic_subscription" "workload_alarms" {
  for_each  = { for account in var.workload_accounts : account.account_id => account.alarm_topic_arn if account.alarm_topic_arn != "" }
  topic_arn = each.value
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.intake.arn
}
