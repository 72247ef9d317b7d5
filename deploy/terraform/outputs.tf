output "alarm_arn" {
  description = "The ALB 5XX alarm (ELB-generated errors)."
  value       = aws_cloudwatch_metric_alarm.alb_5xx["elb"].arn
}

output "target_alarm_arn" {
  description = "The split alarm on the 5XX the targets answer."
  value       = aws_cloudwatch_metric_alarm.alb_5xx["target"].arn
}

output "sns_topic_arn" {
  description = "The topic the alarms notify."
  value       = local.alarm_topic_arn
}

output "findings_topic_arn" {
  description = "The topic reports are published to."
  value       = local.findings_topic_arn
}

output "intake_queue_url" {
  description = "The SQS queue triaged consumes."
  value       = aws_sqs_queue.intake.url
}

output "dead_letter_queue_url" {
  description = "Where unusable alarm messages end up."
  value       = aws_sqs_queue.dead_letter.url
}

output "report_bucket_name" {
  description = "The bucket reports are written to."
  value       = aws_s3_bucket.reports.bucket
}

output "role_arn" {
  description = "The daemon's IAM role."
  value       = aws_iam_role.triaged.arn
}

output "kms_key_arn" {
  description = "The key encrypting topics, queues and reports."
  value       = aws_kms_key.triaged.arn
}

output "instance_id" {
  description = "The EC2 instance running triaged (compute = ec2)."
  value       = one(aws_instance.triaged[*].id)
}

output "ecs_service_name" {
  description = "The ECS service running triaged (compute = ecs)."
  value       = one(aws_ecs_service.triaged[*].name)
}

output "config" {
  description = "The rendered /etc/triaged/config.yaml."
  value       = local.config
}
